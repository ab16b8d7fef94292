# read-only cache mount
FROM busybox
RUN --mount=type=cache,target=/data,ro ls /data
RUN --mount=type=cache,target=/data2,readonly=true ls /data2
