# Builds the slimfile frontend image (ours/slimfile).
#
#   docker buildx build --platform linux/amd64,linux/arm64 -t ours/slimfile .
#                                                      # from source, cross-compiled
#   docker buildx build --target from-binary \
#     --build-context slimfile-bin=target/x86_64-unknown-linux-gnu/release \
#     -t slimfile:dev .                                # offline, from a host-built static binary
#
# The Rust builder stage runs on the build machine's own platform and cross-compiles
# for the target one with the same cargo (a cross gcc links), so no emulation is
# needed. docs/releasing.md has the release steps and the label values.
#
# The frontend needs no network: it only talks to BuildKit over stdin/stdout.

ARG RUST_IMAGE=rust:1-bookworm

FROM --platform=$BUILDPLATFORM ${RUST_IMAGE} AS build
ARG TARGETARCH
# The target's Rust triple and, when it is not the build machine's, Debian's cross gcc.
RUN set -e; \
    case "$TARGETARCH" in \
      amd64) arch=x86_64; cross=x86-64 ;; \
      arm64) arch=aarch64; cross=aarch64 ;; \
      *) echo "slimfile builds for amd64 and arm64, not $TARGETARCH" >&2; exit 1 ;; \
    esac; \
    echo "$arch" > /target-arch; \
    if [ "$arch" != "$(uname -m)" ]; then \
      apt-get update; \
      apt-get install -y --no-install-recommends "gcc-$cross-linux-gnu" "libc6-dev-$TARGETARCH-cross"; \
      rm -rf /var/lib/apt/lists/*; \
    fi; \
    rustup target add "$arch-unknown-linux-gnu"
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target,id=slimfile-target-$TARGETARCH \
    set -e; arch="$(cat /target-arch)"; triple="$arch-unknown-linux-gnu"; \
    if [ "$arch" != "$(uname -m)" ]; then \
      cc="$arch-linux-gnu-gcc"; \
      export CC_$(echo "$triple" | tr - _)="$cc"; \
      export CARGO_TARGET_$(echo "$triple" | tr a-z- A-Z_)_LINKER="$cc"; \
    fi; \
    RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build --release --locked --target "$triple" --bin slimfile; \
    cp "target/$triple/release/slimfile" /slimfile

FROM scratch AS frontend-base
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.source="https://github.com/ours/slimfile"
LABEL org.opencontainers.image.version="$VERSION"
LABEL org.opencontainers.image.revision="$REVISION"
LABEL org.opencontainers.image.title="slimfile"
LABEL org.opencontainers.image.description="A Dockerfile frontend for BuildKit that fuses package-manager RUNs and cleans up in the same layer"
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
# BuildKit starts a frontend as root whatever USER says; slimfile then switches
# itself to 65532 (frontend/src/privileges.rs). USER covers `docker run`.
USER 65532:65532
ENTRYPOINT ["/slimfile"]

FROM frontend-base AS from-binary
COPY --from=slimfile-bin slimfile /slimfile

FROM frontend-base AS from-source
COPY --from=build /slimfile /slimfile
