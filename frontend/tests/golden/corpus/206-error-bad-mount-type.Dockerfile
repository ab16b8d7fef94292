# error: unknown mount type
FROM alpine:3.20
RUN --mount=type=nfs,target=/mnt ls /mnt
