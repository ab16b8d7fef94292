# FROM --platform with a literal foreign platform
FROM --platform=linux/arm64 alpine:3.20 AS arm
RUN echo arm > /arch
FROM alpine:3.20
COPY --from=arm /arch /arch
