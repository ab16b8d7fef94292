# read-write bind mount with src/dst aliases and the default type
FROM debian:bookworm
RUN --mount=src=scripts,dst=/scripts,rw ls /scripts && touch /scripts/x
RUN --mount=type=bind,source=.,destination=/ctx,readwrite=true ls /ctx
