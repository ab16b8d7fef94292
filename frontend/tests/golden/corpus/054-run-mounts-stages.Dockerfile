# mounts referencing two different stages
FROM alpine:3.20 AS a
RUN echo a > /a
FROM busybox AS b
RUN echo b > /b
FROM alpine:3.20
RUN --mount=from=a,target=/ma --mount=type=cache,from=b,source=/,target=/mb cat /ma/a /mb/b
