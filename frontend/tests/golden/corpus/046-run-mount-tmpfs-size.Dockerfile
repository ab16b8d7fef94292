# tmpfs mount with size
FROM debian:bookworm
RUN --mount=type=tmpfs,target=/tmp,size=64m df -h /tmp
