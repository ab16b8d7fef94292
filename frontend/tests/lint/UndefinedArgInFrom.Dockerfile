ARG V=1
FROM debian:${V}${NOPE}
