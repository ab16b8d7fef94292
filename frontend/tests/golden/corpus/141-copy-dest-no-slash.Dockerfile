# COPY destination without trailing slash names the file
FROM alpine:3.20
COPY file.txt /target
COPY dir /target-dir
