# USER root and USER 0 after a non-root user
FROM debian:bookworm
USER nobody
RUN id
USER root
RUN id
USER 0
RUN id
