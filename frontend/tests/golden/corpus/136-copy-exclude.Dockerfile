# COPY --exclude patterns
FROM debian:bookworm
COPY --exclude=*.md --exclude=tests/ . /src/
