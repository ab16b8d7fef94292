# RUN --network=none
FROM alpine:3.20
RUN --network=none echo isolated
