# COPY from a heredoc to a file
FROM alpine:3.20
COPY <<EOF /etc/motd
Welcome to the container.
EOF
