# COPY destination with a trailing slash is a directory
FROM alpine:3.20
COPY file.txt /target/
