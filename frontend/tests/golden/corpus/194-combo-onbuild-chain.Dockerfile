# ONBUILD triggers across two levels of stages
FROM alpine:3.20 AS lvl1
ONBUILD RUN echo level1 > /l1
FROM lvl1 AS lvl2
ONBUILD COPY --from=lvl1 /etc/alpine-release /rel
FROM lvl2
RUN ls /l1 /rel
