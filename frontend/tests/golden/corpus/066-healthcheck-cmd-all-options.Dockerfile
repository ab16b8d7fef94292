# HEALTHCHECK CMD with every option
FROM debian:bookworm
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --start-interval=2s --retries=5 \
    CMD curl -f http://localhost/ || exit 1
