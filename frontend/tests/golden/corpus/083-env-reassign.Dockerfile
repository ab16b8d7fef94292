# reassigning an ENV key keeps one entry in the env
FROM alpine:3.20
ENV MODE=debug
RUN echo $MODE
ENV MODE=release
RUN echo $MODE
