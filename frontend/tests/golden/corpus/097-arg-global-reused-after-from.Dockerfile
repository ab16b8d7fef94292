# global ARG used in FROM and again inside the stage with a new default
ARG TAG=3.20
FROM alpine:${TAG}
ARG TAG
RUN echo $TAG
ARG TAG=override
RUN echo $TAG
