# file starting with a UTF-8 byte order mark
FROM busybox
RUN echo bom
