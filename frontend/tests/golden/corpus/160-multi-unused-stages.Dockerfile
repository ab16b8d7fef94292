# stages not needed by the final stage are skipped
FROM alpine:3.20 AS unused1
RUN echo never
FROM busybox AS unused2
COPY --from=unused1 / /
FROM debian:bookworm AS used
RUN echo used > /used
FROM alpine:3.20
COPY --from=used /used /used
