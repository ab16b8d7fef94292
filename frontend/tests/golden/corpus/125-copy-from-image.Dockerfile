# COPY --from an image reference
FROM alpine:3.20
COPY --from=busybox /bin/busybox /bin/busybox
COPY --from=debian:bookworm /etc/debian_version /debian_version
