# ENV order matters when a key is set twice with others in between
FROM debian:bookworm
ENV Z=1
ENV A=1
ENV Z=2
ENV M=$Z$A
RUN env
