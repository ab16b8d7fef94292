# USER uid:gid and name:group
FROM debian:bookworm
USER 1000:1000
RUN id
USER www-data:www-data
CMD ["id"]
