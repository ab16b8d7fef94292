# COPY --chmod with symbolic modes
FROM alpine:3.20
COPY --chmod=u+x entry.sh /entry.sh
COPY --chmod=a=r,u+w notes.txt /notes.txt
