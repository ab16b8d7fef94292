# every metadata instruction in one image
FROM debian:bookworm
LABEL name=meta
ENV APP=/app
WORKDIR $APP
USER 1000:1000
EXPOSE 8080/tcp 8125/udp
VOLUME ["/app/data"]
STOPSIGNAL SIGINT
HEALTHCHECK --timeout=2s CMD true
ONBUILD RUN echo child
SHELL ["/bin/bash", "-c"]
ENTRYPOINT ["/app/run"]
CMD ["--serve"]
