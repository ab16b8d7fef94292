# RUN with a basic heredoc
FROM alpine:3.20
RUN <<EOF
echo hello
echo world
EOF
