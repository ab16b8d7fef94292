# error: ${VAR:?msg} with an unset variable
FROM alpine:3.20
ENV NEEDED=${MISSING:?required}
