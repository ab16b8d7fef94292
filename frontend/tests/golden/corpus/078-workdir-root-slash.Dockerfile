# WORKDIR / and a WORKDIR that ends with a slash
FROM debian:bookworm
WORKDIR /tmp/
RUN pwd
WORKDIR /
RUN pwd
