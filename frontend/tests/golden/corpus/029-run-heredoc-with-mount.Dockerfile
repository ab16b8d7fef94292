# heredoc RUN together with a cache mount and a network flag
FROM debian:bookworm
RUN --mount=type=cache,target=/var/cache/apt --network=host <<EOF
apt-get update
apt-get install -y make
EOF
