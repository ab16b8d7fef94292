# COPY with glob patterns
FROM alpine:3.20
COPY *.txt /docs/
COPY config/*.y?ml src/[a-c]*.go /mixed/
