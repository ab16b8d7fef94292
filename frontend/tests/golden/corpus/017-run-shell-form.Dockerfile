# RUN in shell form, several instructions
FROM alpine:3.20
RUN echo one
RUN echo two && echo three
RUN set -e; for i in 1 2 3; do echo $i; done
