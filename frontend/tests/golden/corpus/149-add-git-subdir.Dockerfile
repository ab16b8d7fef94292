# ADD git URL with ref and subdirectory, and a ssh-style URL
FROM debian:bookworm
ADD https://github.com/example/mono.git#main:tools/cli /cli
ADD git@github.com:example/private.git /private
