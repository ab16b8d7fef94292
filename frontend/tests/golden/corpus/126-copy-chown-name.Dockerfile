# COPY --chown with a user name and user:group names
FROM debian:bookworm
COPY --chown=www-data app.py /srv/
COPY --chown=www-data:www-data settings.py /srv/
