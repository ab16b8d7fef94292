# cache mount with mode, uid and gid
FROM debian:bookworm
RUN useradd -u 1001 app
USER app
RUN --mount=type=cache,target=/home/app/.cache,uid=1001,gid=1001,mode=0700 ls -ld /home/app/.cache
