# USER expanded from ARG and ENV
FROM alpine:3.20
ARG UID=1234
ENV GID=5678
USER ${UID}:${GID}
RUN id
