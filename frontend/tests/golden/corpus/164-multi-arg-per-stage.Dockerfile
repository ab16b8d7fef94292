# each stage redeclares a global ARG with its own default
ARG V=global
FROM alpine:3.20 AS a
ARG V
RUN echo a=$V > /a
FROM busybox AS b
ARG V=stage-b
RUN echo b=$V > /b
FROM debian:bookworm
COPY --from=a /a /a
COPY --from=b /b /b
RUN echo final=[$V]
