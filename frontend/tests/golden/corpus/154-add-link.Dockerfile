# ADD --link
FROM alpine:3.20
ADD --link https://example.com/data.bin /data.bin
ADD --link local.tar /extracted/
