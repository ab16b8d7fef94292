# ${VAR:?msg} and ${VAR?msg} when the variable is set
FROM alpine:3.20
ENV REQUIRED=present
ENV COPY1=${REQUIRED:?must-be-set} COPY2=${REQUIRED?must-exist}
RUN echo $COPY1 $COPY2
