# a global ARG is not visible in a stage until redeclared
FROM busybox
ARG NAME=global
FROM busybox
RUN echo "before=[$NAME]"
ARG NAME
RUN echo "after=[$NAME]"
