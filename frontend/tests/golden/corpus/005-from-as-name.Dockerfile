# FROM ... AS name, then a second stage built on the named stage
FROM alpine:3.20 AS base
RUN apk add --no-cache ca-certificates

FROM base
RUN echo "built on base"
