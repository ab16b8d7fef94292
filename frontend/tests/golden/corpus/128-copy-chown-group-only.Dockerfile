# COPY --chown with only a group (:gid)
FROM debian:bookworm
COPY --chown=:1500 shared.txt /shared/
