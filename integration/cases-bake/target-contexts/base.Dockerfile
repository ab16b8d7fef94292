FROM debian:bookworm AS base
ENV GREETING="hello from the base target" APP_HOME=/srv/app
WORKDIR /srv/app
RUN echo "$GREETING" > base.txt
USER nobody

FROM scratch AS tools
COPY tool.sh /bin/tool.sh
