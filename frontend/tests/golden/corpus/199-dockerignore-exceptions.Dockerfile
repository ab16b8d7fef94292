# .dockerignore with ** patterns and ! exceptions
FROM busybox
WORKDIR /app
COPY . .
RUN --mount=type=bind,target=/ctx ls /ctx
