# EXPOSE a UDP port and the same port on TCP
FROM debian:bookworm
EXPOSE 53/udp 53/tcp
EXPOSE 5353/UDP
