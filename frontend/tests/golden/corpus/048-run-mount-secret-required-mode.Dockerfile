# required secret with mode, uid and gid
FROM debian:bookworm
RUN --mount=type=secret,id=key,target=/key,required=true,mode=0440,uid=1000,gid=1000 ls -l /key
