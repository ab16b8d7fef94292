# secret mount with only an id (target /run/secrets/<id>)
FROM alpine:3.20
RUN --mount=type=secret,id=npmrc cat /run/secrets/npmrc
