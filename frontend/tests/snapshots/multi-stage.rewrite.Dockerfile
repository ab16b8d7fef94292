# Build stage: compilers and headers, one apt step per line.
FROM debian:bookworm AS builder
# slimfile: lines 3, 4, 5 as one layer, with apt cleanup
RUN ["/bin/sh","-c","/bin/sh -c 'apt-get update' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends gcc libc6-dev' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends libsqlite3-dev' || exit $?\nrm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/* || :\n"]
WORKDIR /src
COPY hello.c .
RUN gcc -O2 -Wall -o /usr/local/bin/hello hello.c -lsqlite3

# Runtime stage: only the shared library the program needs.
FROM debian:bookworm
# slimfile: lines 12, 13 as one layer, with apt cleanup
RUN ["/bin/sh","-c","/bin/sh -c 'apt-get update' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends libsqlite3-0' || exit $?\nrm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/* || :\n"]
COPY --from=builder /usr/local/bin/hello /usr/local/bin/hello
CMD ["hello"]
