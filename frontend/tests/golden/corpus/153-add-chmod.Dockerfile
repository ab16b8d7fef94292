# ADD --chmod for a URL download
FROM busybox
ADD --chmod=0755 https://example.com/bin/tool /usr/local/bin/tool
ADD --chmod=640 secret.conf /etc/
