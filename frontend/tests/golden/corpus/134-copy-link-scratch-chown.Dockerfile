# COPY --link with --chown and --chmod into scratch
FROM scratch
COPY --link --chown=65534:65534 --chmod=0555 bin/server /server
