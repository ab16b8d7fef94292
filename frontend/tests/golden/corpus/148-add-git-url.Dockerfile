# ADD a git repository at a ref
FROM alpine:3.20
ADD https://github.com/example/project.git#v1.0.0 /src/project
