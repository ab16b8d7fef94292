# ONBUILD triggers run when the stage is used as a base
FROM alpine:3.20 AS template
ONBUILD RUN echo "onbuild trigger" > /triggered
ONBUILD ENV TRIGGERED=1
FROM template
RUN cat /triggered
