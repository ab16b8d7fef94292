# STOPSIGNAL with a signal number
FROM busybox
STOPSIGNAL 9
CMD ["sleep", "100"]
