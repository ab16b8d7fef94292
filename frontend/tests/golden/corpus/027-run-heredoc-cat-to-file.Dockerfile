# heredoc written to a file with cat, with variables expanded by the shell
FROM alpine:3.20
ENV PORT=8080
RUN cat <<EOF > /etc/app.conf
listen ${PORT}
user nobody
EOF
RUN cat /etc/app.conf
