# ${VAR:-x} and ${VAR-x} defaults
FROM alpine:3.20
ENV SET=value EMPTY=
ENV R1=${UNSET:-fallback} R2=${EMPTY:-fallback} R3=${EMPTY-kept} R4=${SET:-unused}
RUN echo $R1 $R2 $R3 $R4
