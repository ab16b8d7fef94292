# FROM --platform=$TARGETPLATFORM
FROM --platform=$TARGETPLATFORM debian:bookworm
RUN uname -m
