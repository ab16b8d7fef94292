# error: bind mount without a target resolves to /
FROM debian:bookworm
RUN --mount=type=bind ls
