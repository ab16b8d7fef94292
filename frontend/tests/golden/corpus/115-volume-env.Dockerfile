# VOLUME with an ENV variable
FROM busybox
ENV DATA_DIR=/srv/data
VOLUME $DATA_DIR
VOLUME ["${DATA_DIR}/extra"]
