# bind mount from a previous stage with source=
FROM alpine:3.20 AS tools
RUN echo tool > /tool.sh
FROM alpine:3.20
RUN --mount=type=bind,from=tools,source=/tool.sh,target=/usr/local/bin/tool.sh cat /usr/local/bin/tool.sh
