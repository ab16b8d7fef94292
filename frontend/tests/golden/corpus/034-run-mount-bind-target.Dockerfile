# bind mount of the context with a target
FROM alpine:3.20
RUN --mount=type=bind,target=/src ls /src
