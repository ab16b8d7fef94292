# SHELL also applies to shell-form CMD and ENTRYPOINT
FROM alpine:3.20
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
ENTRYPOINT echo entry
CMD echo cmd
