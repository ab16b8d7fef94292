# quoted heredoc delimiter disables expansion
FROM alpine:3.20
ENV NAME=world
RUN <<'EOF'
echo "hello $NAME"
echo '${NAME}'
EOF
