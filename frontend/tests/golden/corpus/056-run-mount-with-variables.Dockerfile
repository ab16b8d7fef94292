# mount options expanded from ARG and ENV
FROM alpine:3.20
ARG CACHE_ID=gocache
ENV GOCACHE=/root/.cache/go-build
RUN --mount=type=cache,id=${CACHE_ID},target=${GOCACHE} ls $GOCACHE
