# A SHELL set in the parent stage counts: no JSONArgsRecommended for the child's CMD
FROM debian:bookworm AS shelled
SHELL ["/bin/bash", "-c"]

FROM shelled AS child
CMD echo "from the inherited shell"
ENTRYPOINT echo "also inherited"

FROM debian:bookworm
COPY --from=child /etc/hostname /copied
CMD echo "no shell here"
