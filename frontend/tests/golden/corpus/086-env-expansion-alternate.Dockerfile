# ${VAR:+x} and ${VAR+x} alternates
FROM busybox
ENV SET=yes EMPTY=
ENV R1=${SET:+alt} R2=${UNSET:+alt} R3=${EMPTY:+alt} R4=${EMPTY+alt}
LABEL r1=$R1 r2=$R2 r3=$R3 r4=$R4
