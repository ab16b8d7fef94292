# LABEL over line continuations
FROM debian:bookworm
LABEL maintainer="ops@example.com" \
      version="1.2.3" \
      description="A long \
description"
