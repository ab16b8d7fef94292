# ADD a local tar archive (auto-extracted)
FROM debian:bookworm
ADD rootfs.tar.gz /opt/rootfs/
ADD vendor.tar /vendor/
