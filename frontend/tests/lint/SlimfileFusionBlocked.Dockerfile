FROM debian
RUN apt-get update
USER nobody
RUN apt-get install -y curl
