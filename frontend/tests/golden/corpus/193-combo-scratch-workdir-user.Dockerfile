# scratch stage with WORKDIR, USER and COPY (no RUN possible)
FROM scratch
WORKDIR /app
USER 1000:1000
COPY --chown=1000:1000 server ./server
ENTRYPOINT ["./server"]
