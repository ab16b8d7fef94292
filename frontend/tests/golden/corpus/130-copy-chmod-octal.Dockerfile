# COPY --chmod with octal modes
FROM busybox
COPY --chmod=755 run.sh /usr/local/bin/run.sh
COPY --chmod=0644 conf /etc/conf
