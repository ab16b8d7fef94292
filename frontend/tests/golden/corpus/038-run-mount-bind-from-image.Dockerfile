# bind mount from an image reference
FROM alpine:3.20
RUN --mount=type=bind,from=busybox,source=/bin/busybox,target=/bb /bb echo hi
