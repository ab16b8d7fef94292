# COPY --link
FROM alpine:3.20
COPY --link app /app
COPY --link=true --from=busybox /bin/busybox /bin/
