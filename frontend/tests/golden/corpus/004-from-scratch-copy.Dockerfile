# FROM scratch with a single COPY from the context
FROM scratch
COPY app /app
ENTRYPOINT ["/app"]
