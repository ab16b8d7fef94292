# COPY heredoc with --chmod and --chown as an executable script
FROM debian:bookworm
COPY --chmod=0755 --chown=1000 <<'EOF' /usr/local/bin/hello
#!/bin/sh
echo "hello $1"
EOF
RUN hello world
