# ARG without a default is empty in RUN
FROM alpine:3.20
ARG VERSION
RUN echo "version=[$VERSION]"
