# lint-test: build-arg=TAG=1
ARG TAG
ARG IMG=debian
FROM busybox:${TAG}
FROM ${IMG}
