# bind mount without a target under a WORKDIR (target is the workdir)
FROM alpine:3.20
WORKDIR /src
RUN --mount=type=bind ls -la
