# COPY several sources into a directory
FROM debian:bookworm
COPY go.mod go.sum main.go /src/
