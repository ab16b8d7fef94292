# ADD several local sources and a glob into a directory
FROM alpine:3.20
WORKDIR /in
ADD a.txt b.txt *.cfg ./
