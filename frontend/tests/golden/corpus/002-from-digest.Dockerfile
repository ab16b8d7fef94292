# FROM pinned only by digest
FROM alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RUN cat /etc/os-release
