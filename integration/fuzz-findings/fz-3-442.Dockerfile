FROM debian:bookworm AS base
COPY --from=fakes --chmod=755 apt-get /usr/local/bin/apt-get
COPY --from=fakes --chmod=755 apt-get /usr/local/bin/apt-cache
COPY --from=fakes --chmod=755 pip /usr/local/bin/pip
COPY --from=fakes --chmod=755 npm /usr/local/bin/npm
RUN mkdir -p /out /home/u /opt/site /w /pc && chmod 777 /out /home/u /opt/site /w /pc
RUN pip install delta
RUN apt-get update
RUN rm -rf /var/lib/apt/lists/*
ENV PIP_CACHE_DIR=/pc
RUN apt-get update
RUN apt-cache show gamma > /out/3-442-1
RUN <<EOT
pip install delta
echo heredoc > /out/3-442-2
EOT
USER 1000
RUN ["pip", "install", "alpha"]
WORKDIR /w
