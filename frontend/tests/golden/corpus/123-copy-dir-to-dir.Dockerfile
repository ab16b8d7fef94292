# COPY a directory to a directory
FROM busybox
COPY static /var/www/static
COPY templates/ /var/www/templates/
