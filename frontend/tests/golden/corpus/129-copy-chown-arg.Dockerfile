# COPY --chown from ARG values
FROM alpine:3.20
ARG UID=1001
ARG GID=1001
COPY --chown=${UID}:${GID} app /app
