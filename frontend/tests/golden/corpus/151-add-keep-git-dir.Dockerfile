# ADD --keep-git-dir for a git source
FROM debian:bookworm
ADD --keep-git-dir=true https://github.com/example/project.git#main /src
RUN git -C /src log -1 || true
