# COPY in JSON form with a space in the name
FROM debian:bookworm
COPY ["my file.txt", "other.txt", "/dest dir/"]
