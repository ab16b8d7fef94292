# .dockerignore combined with COPY --exclude
FROM debian:bookworm
COPY --exclude=*.bak . /data/
