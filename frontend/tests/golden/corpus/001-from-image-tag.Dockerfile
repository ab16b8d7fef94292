# FROM with an image and a tag, then a shell-form RUN
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
