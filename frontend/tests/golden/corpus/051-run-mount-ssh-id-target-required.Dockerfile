# ssh mount with id, target and required
FROM debian:bookworm
RUN --mount=type=ssh,id=github,target=/ssh.sock,required=true SSH_AUTH_SOCK=/ssh.sock ssh-add -l
