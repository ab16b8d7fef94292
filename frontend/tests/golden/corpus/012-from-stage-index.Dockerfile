# COPY --from a numeric stage index
FROM alpine:3.20
RUN echo zero > /zero
FROM debian:bookworm
RUN echo one > /one
FROM busybox
COPY --from=0 /zero /zero
COPY --from=1 /one /one
