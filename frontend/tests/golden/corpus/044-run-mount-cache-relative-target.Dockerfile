# cache mount with a target relative to WORKDIR
FROM alpine:3.20
WORKDIR /app
RUN --mount=type=cache,target=node_modules ls node_modules
