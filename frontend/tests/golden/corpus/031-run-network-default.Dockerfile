# RUN --network=default next to a plain RUN
FROM alpine:3.20
RUN --network=default wget -q -O /dev/null http://example.com || true
RUN echo plain
