# cache mounts with an id and sharing=shared
FROM alpine:3.20
RUN --mount=type=cache,id=apk,target=/var/cache/apk,sharing=shared apk add git
