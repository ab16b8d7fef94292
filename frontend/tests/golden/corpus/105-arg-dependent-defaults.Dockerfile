# ARG defaults that reference earlier ARGs
FROM alpine:3.20
ARG MAJOR=1
ARG MINOR=2
ARG VERSION=${MAJOR}.${MINOR}
RUN echo $VERSION
