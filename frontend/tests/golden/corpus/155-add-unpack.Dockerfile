# ADD --unpack to extract a remote archive
FROM debian:bookworm
ADD --unpack=true https://example.com/release.tar.gz /opt/release/
