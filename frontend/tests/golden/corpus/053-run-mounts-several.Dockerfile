# several mounts of different types in one RUN
FROM debian:bookworm AS deps
RUN mkdir /deps
FROM debian:bookworm
WORKDIR /build
RUN --mount=type=bind,target=. \
    --mount=type=cache,target=/root/.cache \
    --mount=type=tmpfs,target=/tmp \
    --mount=type=secret,id=token \
    --mount=type=ssh \
    --mount=type=bind,from=deps,source=/deps,target=/deps \
    make
