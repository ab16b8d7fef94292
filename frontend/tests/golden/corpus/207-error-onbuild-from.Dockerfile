# error: ONBUILD FROM is not allowed
FROM busybox
ONBUILD FROM alpine:3.20
