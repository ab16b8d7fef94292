# the last stage is the default target, even if unnamed stages precede
FROM alpine:3.20 AS dev
RUN echo dev
FROM alpine:3.20 AS test
RUN echo test
FROM alpine:3.20 AS release
RUN echo release
