# CMD with an empty JSON array
FROM busybox
ENTRYPOINT ["/bin/sh"]
CMD []
