# a typical Go build with cache mounts and a scratch runtime
FROM --platform=$BUILDPLATFORM debian:bookworm AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
ENV CGO_ENABLED=0
RUN --mount=type=bind,source=go.mod,target=go.mod \
    --mount=type=cache,target=/go/pkg/mod \
    go mod download
RUN --mount=type=bind,target=. \
    --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/server ./cmd/server
FROM scratch
COPY --from=build /out/server /server
USER 65532:65532
ENTRYPOINT ["/server"]
