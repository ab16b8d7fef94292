# BuildKit-specific ARGs and SOURCE_DATE_EPOCH
FROM debian:bookworm
ARG BUILDKIT_SANDBOX_HOSTNAME=builder
ARG SOURCE_DATE_EPOCH=0
ARG BUILDKIT_CACHE_MOUNT_NS=ns1
RUN --mount=type=cache,target=/c hostname
