# ${VAR#p} ${VAR##p} ${VAR%s} ${VAR%%s} with wildcards
FROM alpine:3.20
ENV FILE=/usr/local/lib/archive.tar.gz
ENV BASE=${FILE##*/} DIR=${FILE%/*} EXT=${FILE#*.} STEM=${FILE%%.*}
ENV NOLEAD=${FILE#/}
RUN echo $BASE $DIR $EXT $STEM $NOLEAD
