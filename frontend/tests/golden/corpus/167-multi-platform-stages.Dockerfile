# build stage on BUILDPLATFORM, runtime on target platform
FROM --platform=$BUILDPLATFORM debian:bookworm AS xbuild
ARG TARGETARCH
RUN echo "cross compile for $TARGETARCH" > /bin-$TARGETARCH
FROM alpine:3.20
ARG TARGETARCH
COPY --from=xbuild /bin-${TARGETARCH} /app
