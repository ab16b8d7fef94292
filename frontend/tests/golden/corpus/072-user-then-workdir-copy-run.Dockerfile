# USER followed by WORKDIR, COPY and RUN
FROM alpine:3.20
RUN adduser -D -u 1001 svc
USER svc
WORKDIR /home/svc/app
COPY config.yml .
RUN ls -l config.yml
