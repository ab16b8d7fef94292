# global ARG without default used with ${VAR:-default} in FROM
ARG DEBIAN_TAG
FROM debian:${DEBIAN_TAG:-bookworm}
RUN cat /etc/debian_version
