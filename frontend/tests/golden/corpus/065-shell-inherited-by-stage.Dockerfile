# SHELL set in a base stage is inherited by a child stage
FROM debian:bookworm AS base
SHELL ["/bin/bash", "-c"]
FROM base
RUN [[ -n "$BASH" ]] && echo bash
