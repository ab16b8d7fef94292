# legacy ENV key value form (rest of line is the value)
FROM busybox
ENV GREETING hello big world
ENV EMPTYISH ""
RUN echo $GREETING
