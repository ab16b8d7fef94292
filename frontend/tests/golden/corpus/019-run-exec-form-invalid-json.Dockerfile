# RUN with a bracketed but non-JSON argument falls back to shell form
FROM busybox
RUN [echo, hi]
RUN ["echo", 'single']
