# ONBUILD with RUN and COPY triggers stored in the image config
FROM alpine:3.20
ONBUILD COPY . /app/src
ONBUILD RUN make -C /app/src
