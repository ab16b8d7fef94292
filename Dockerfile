# Builds the slimfile frontend image (ours/slimfile).
#
#   docker buildx build -t ours/slimfile .            # from source, in a Rust builder stage
#   docker buildx build --target from-binary \
#     --build-context slimfile-bin=target/x86_64-unknown-linux-gnu/release \
#     -t slimfile:dev .                                # offline, from a host-built static binary
#
# The frontend needs no network: it only talks to BuildKit over stdin/stdout.

ARG RUST_IMAGE=rust:1-bookworm

FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build --release --locked --target "$(uname -m)-unknown-linux-gnu" --bin slimfile \
 && cp "target/$(uname -m)-unknown-linux-gnu/release/slimfile" /slimfile

FROM scratch AS frontend-base
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
