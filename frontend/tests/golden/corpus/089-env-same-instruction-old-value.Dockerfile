# in one ENV instruction variables keep their previous values
FROM alpine:3.20
ENV A=old
ENV A=new B=$A
RUN echo "$A $B"
