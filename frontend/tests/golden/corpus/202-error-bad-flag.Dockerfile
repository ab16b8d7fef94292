# error: unknown flag on COPY
FROM alpine:3.20
COPY --frobnicate=yes a /a
