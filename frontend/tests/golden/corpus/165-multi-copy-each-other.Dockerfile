# stages copying from each other in a chain
FROM alpine:3.20 AS gen
RUN echo gen > /g
FROM busybox AS transform
COPY --from=gen /g /g
RUN cat /g /g > /t
FROM alpine:3.20 AS package
COPY --from=transform /t /pkg/t
COPY --from=gen /g /pkg/g
FROM scratch
COPY --from=package /pkg /
