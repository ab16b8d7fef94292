# relative WORKDIR is joined to the previous one
FROM debian:bookworm
WORKDIR /usr
WORKDIR local
WORKDIR bin
RUN pwd
