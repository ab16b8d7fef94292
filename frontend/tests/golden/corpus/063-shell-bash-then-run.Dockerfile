# SHELL switches the shell used by shell-form RUN
FROM debian:bookworm
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN echo $BASH_VERSION | tee /v
RUN ["echo", "exec form ignores SHELL"]
