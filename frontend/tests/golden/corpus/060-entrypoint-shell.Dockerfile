# ENTRYPOINT in shell form
FROM busybox
ENTRYPOINT exec top -b
