FROM --platform=linux/amd64 debian
FROM --platform=linux/arm64 debian AS build-arm64
FROM --platform=$BUILDPLATFORM debian
