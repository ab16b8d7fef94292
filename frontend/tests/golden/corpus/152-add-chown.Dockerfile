# ADD --chown for local and URL sources
FROM alpine:3.20
ADD --chown=1000:1000 app.tar.gz /app/
ADD --chown=nobody https://example.com/x.txt /x.txt
