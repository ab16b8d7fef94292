# global ARG used in FROM --platform
ARG PLAT=linux/arm64
FROM --platform=${PLAT} alpine:3.20
RUN echo on $PLAT
