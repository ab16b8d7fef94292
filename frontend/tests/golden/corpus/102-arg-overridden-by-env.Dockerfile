# ENV with the same name as an ARG takes precedence
FROM alpine:3.20
ARG LEVEL=arg
ENV LEVEL=env
RUN echo $LEVEL
ARG LEVEL=again
RUN echo $LEVEL
