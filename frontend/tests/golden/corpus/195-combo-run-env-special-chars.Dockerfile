# ENV values with special characters in RUN environment
FROM debian:bookworm
ENV SPACES="a b  c" EQUALS="x=y" QUOTE="it's" BACKSLASH="a\\b" DOLLAR='$HOME'
RUN env
