# LABEL with many keys, on one line and in several instructions
FROM alpine:3.20
LABEL a=1 b=2 c=3
LABEL org.opencontainers.image.title=demo org.opencontainers.image.version=1.0
LABEL a=overridden
