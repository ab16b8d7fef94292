# WORKDIR without any following RUN creates the directory
FROM alpine:3.20
WORKDIR /data/output
