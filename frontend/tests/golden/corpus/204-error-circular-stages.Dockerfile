# error: stages depending on each other in a cycle
FROM alpine:3.20 AS a
COPY --from=b /b /b
FROM busybox AS b
COPY --from=a /a /a
