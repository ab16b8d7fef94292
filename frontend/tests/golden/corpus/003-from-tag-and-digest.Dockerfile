# FROM with both tag and digest (the digest wins)
FROM debian:bookworm@sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
ENV DEBIAN_FRONTEND=noninteractive
RUN echo pinned
