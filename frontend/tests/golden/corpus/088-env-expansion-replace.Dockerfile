# ${VAR/a/b} and ${VAR//a/b}
FROM debian:bookworm
ENV VERSION=1.2.3-rc.1
ENV FIRST=${VERSION/./_} ALL=${VERSION//./_} GLOB=${VERSION/-*/}
RUN echo $FIRST $ALL $GLOB
