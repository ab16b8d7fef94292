# predefined proxy ARGs declared without values
FROM alpine:3.20
ARG HTTP_PROXY
ARG https_proxy
ARG NO_PROXY
ARG ALL_PROXY
RUN echo "$HTTP_PROXY $https_proxy $NO_PROXY"
