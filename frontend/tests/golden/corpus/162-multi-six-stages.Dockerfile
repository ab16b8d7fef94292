# six stages with mixed dependencies
FROM alpine:3.20 AS s1
RUN echo 1 > /1
FROM s1 AS s2
RUN echo 2 > /2
FROM busybox AS s3
COPY --from=s1 /1 /1
FROM debian:bookworm AS s4
COPY --from=s2 /2 /2
FROM s3 AS s5
COPY --from=s4 /2 /from4
FROM scratch AS s6
COPY --from=s5 / /
