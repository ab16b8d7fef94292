# FROM --platform=$BUILDPLATFORM for a cross-compiling builder
FROM --platform=$BUILDPLATFORM alpine:3.20 AS build
ARG TARGETOS TARGETARCH
RUN echo "building for $TARGETOS/$TARGETARCH"
FROM alpine:3.20
COPY --from=build /etc/hostname /built-by
