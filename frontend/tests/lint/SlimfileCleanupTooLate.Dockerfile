FROM debian
RUN apt-get update && apt-get install -y curl
RUN echo done
RUN rm -rf /var/lib/apt/lists/*
