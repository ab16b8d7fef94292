# ENTRYPOINT with CMD as default arguments
FROM debian:bookworm
ENTRYPOINT ["ping"]
CMD ["-c", "3", "localhost"]
