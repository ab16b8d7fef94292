# RUN --security=sandbox
FROM busybox
RUN --security=sandbox echo sandboxed
