# ARG with a default becomes part of the RUN environment
FROM debian:bookworm
ARG JOBS=4
ARG FLAGS="-O2 -g"
RUN make -j$JOBS CFLAGS="$FLAGS" || true
