# image with an empty config: default PATH is used, then replaced
FROM busybox
RUN echo $PATH
ENV PATH=/custom/bin
RUN echo $PATH
FROM scratch
COPY --from=0 /bin/sh /sh
