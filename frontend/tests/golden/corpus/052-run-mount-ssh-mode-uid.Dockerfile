# ssh mount with mode, uid and gid
FROM alpine:3.20
RUN --mount=type=ssh,mode=0666,uid=100,gid=101 ls -l /run/buildkit/ssh_agent.0
