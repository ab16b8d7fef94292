# error: COPY --from a stage defined later
FROM alpine:3.20 AS first
COPY --from=second /x /x
FROM busybox AS second
RUN echo x > /x
FROM first
