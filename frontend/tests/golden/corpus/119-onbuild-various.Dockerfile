# ONBUILD with metadata instructions
FROM debian:bookworm
ONBUILD ARG BUILD_VERSION
ONBUILD LABEL built-from=onbuild-base
ONBUILD WORKDIR /onbuild
ONBUILD USER nobody
