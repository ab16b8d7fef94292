# copy a whole stage root into scratch
FROM alpine:3.20 AS rootfs
RUN apk add --no-cache tini
FROM scratch
COPY --from=rootfs / /
ENTRYPOINT ["/sbin/tini", "--"]
