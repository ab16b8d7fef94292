# WORKDIR using ENV variables
FROM alpine:3.20
ENV APP_HOME=/srv APP_NAME=web
WORKDIR $APP_HOME/${APP_NAME}
RUN pwd
