# RUN without mounts in a stage with a WORKDIR
FROM alpine:3.20
WORKDIR /srv/app
RUN pwd > /where
RUN ["ls", "-la"]
