# COPY --link=false is a normal COPY
FROM busybox
COPY --link=false file /file
