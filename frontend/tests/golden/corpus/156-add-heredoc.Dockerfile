# ADD from a heredoc
FROM alpine:3.20
ADD <<EOF /etc/added.conf
key=value
EOF
