# COPY with from, chown, chmod, link, exclude and parents flags combined
FROM alpine:3.20 AS src
RUN mkdir -p /repo/pkg/a /repo/pkg/b && touch /repo/pkg/a/x.go /repo/pkg/b/y_test.go
FROM busybox
COPY --from=src --chown=1:1 --chmod=0644 --link --exclude=*_test.go /repo/pkg /pkg
COPY --parents --chmod=0600 conf/*.ini /etc/app/
