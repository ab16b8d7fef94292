# a stage named like an image shadows the image for later references
FROM alpine:3.20 AS busybox
RUN echo shadow > /shadow
FROM debian:bookworm
COPY --from=busybox /shadow /shadow
