# ENV with several pairs on one line and over continuations
FROM debian:bookworm
ENV A=1 B=2 C=3
ENV D=4 \
    E=5 \
    F=6
RUN env | sort
