# COPY the whole context with .
FROM alpine:3.20
WORKDIR /app
COPY . .
