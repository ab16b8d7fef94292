FROM debian
RUN apt-get update && apt-get install curl
RUN apt-get install -qq git
RUN apt-get install -yq vim
