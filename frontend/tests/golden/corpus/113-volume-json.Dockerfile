# VOLUME in JSON form
FROM alpine:3.20
VOLUME ["/data", "/var/log/app"]
