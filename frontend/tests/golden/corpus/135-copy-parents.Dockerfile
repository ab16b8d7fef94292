# COPY --parents keeps the source directory structure
FROM alpine:3.20
COPY --parents src/*/main.go /build/
COPY --parents ./a/./b/c.txt /out/
