# ESCAPE=`
# directive names are case-insensitive
FROM busybox
RUN echo a `
    b
