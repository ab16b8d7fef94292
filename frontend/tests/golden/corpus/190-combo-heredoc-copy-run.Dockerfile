# COPY heredoc script then RUN it with a secret mount
FROM alpine:3.20
COPY --chmod=755 <<'SCRIPT' /build.sh
#!/bin/sh
set -e
cat /run/secrets/token | wc -c
SCRIPT
RUN --mount=type=secret,id=token /build.sh
