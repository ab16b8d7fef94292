# FROM a name that is only defined later is taken as an image name
FROM busybox AS first
RUN echo first
FROM alpine:3.20 AS busybox
RUN echo later
FROM first
