# stage named in upper case; references are case-insensitive
FROM alpine:3.20 AS Builder
RUN echo hi > /out
FROM builder AS Final
COPY --from=BUILDER /out /out2
