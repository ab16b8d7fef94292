# ADD from an HTTP URL
FROM alpine:3.20
ADD https://example.com/files/config.json /etc/config.json
ADD https://example.com/download/tool /usr/local/bin/
