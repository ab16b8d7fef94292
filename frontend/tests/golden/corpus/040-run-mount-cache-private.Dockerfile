# cache mount with sharing=private
FROM alpine:3.20
RUN --mount=type=cache,target=/tmp/cache,sharing=private ls /tmp/cache
