# COPY --chown=root and root:root
FROM alpine:3.20
COPY --chown=root f1 /f1
COPY --chown=0:0 f2 /f2
