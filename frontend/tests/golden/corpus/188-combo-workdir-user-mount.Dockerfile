# WORKDIR, USER and a relative bind mount target together
FROM alpine:3.20
WORKDIR /work
USER 1000
RUN --mount=type=bind,source=src,target=src ls src
