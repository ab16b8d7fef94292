# build context filtered by a .dockerignore
FROM alpine:3.20
COPY . /src
