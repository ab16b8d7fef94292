# WORKDIR created after USER is owned by that user
FROM alpine:3.20
USER 1000:1000
WORKDIR /home/user/project
RUN touch file
