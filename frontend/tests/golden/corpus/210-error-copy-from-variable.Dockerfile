# error: COPY --from does not expand variables
ARG SRC_STAGE=assets
FROM alpine:3.20 AS assets
RUN echo css > /style.css
FROM busybox
ARG SRC_STAGE
COPY --from=${SRC_STAGE} /style.css /www/
