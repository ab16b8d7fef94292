# TARGETARCH used in a global scope FROM via an ARG
ARG TARGETARCH
FROM busybox AS base-amd64
FROM busybox AS base-arm64
FROM base-${TARGETARCH}
RUN echo selected
