# cache mount seeded from a stage with from= and source=
FROM alpine:3.20 AS seed
RUN mkdir -p /seed && echo s > /seed/file
FROM alpine:3.20
RUN --mount=type=cache,id=seeded,target=/cache,from=seed,source=/seed ls /cache
