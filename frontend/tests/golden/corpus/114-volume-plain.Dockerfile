# VOLUME in plain form with several paths
FROM debian:bookworm
VOLUME /var/lib/db /cache
RUN echo after volume
