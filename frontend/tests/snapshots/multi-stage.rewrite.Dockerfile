# Build stage: compilers and headers, one apt step per line.
FROM debian:bookworm AS builder
# slimfile: lines 3, 4, 5 as one layer, with apt cleanup
RUN ["/bin/sh","-c","/bin/sh -c 'apt-get update' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends gcc libc6-dev' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends libsqlite3-dev' || exit $?\nslimfile_rm() {\n  for p in \"$@\"; do\n    [ -e \"$p\" ] || [ -L \"$p\" ] || continue\n    case \"$p\" in /*) ;; *) continue ;; esac\n    d=$(cd -P -- \"${p%/*}/\" 2>/dev/null && pwd -P) || continue\n    q=\"${d%/}/${p##*/}\"\n    case \"${q#/}\" in ''|.|..|*/.|*/..) continue ;; */*) ;; *) echo \"slimfile: kept $q: a top-level directory\" >&2; continue ;; esac\n    skip=\n    while IFS= read -r m; do\n      [ -n \"$m\" ] || continue\n      m=\"${m%/}\"\n      case \"$q/\" in \"$m\"/*) skip=1 ;; esac\n      case \"$m/\" in \"$q\"/*) skip=1 ;; esac\n    done <<SLIMFILE_EOF\n$slimfile_keep\nSLIMFILE_EOF\n    if [ -n \"$skip\" ]; then echo \"slimfile: kept $q: a mount of the group is there\" >&2; continue; fi\n    rm -rf -- \"$q\"\n  done\n}\nslimfile_keep=''\nslimfile_rm /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*\n"]
WORKDIR /src
COPY hello.c .
RUN gcc -O2 -Wall -o /usr/local/bin/hello hello.c -lsqlite3

# Runtime stage: only the shared library the program needs.
FROM debian:bookworm
# slimfile: lines 12, 13 as one layer, with apt cleanup
RUN ["/bin/sh","-c","/bin/sh -c 'apt-get update' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends libsqlite3-0' || exit $?\nslimfile_rm() {\n  for p in \"$@\"; do\n    [ -e \"$p\" ] || [ -L \"$p\" ] || continue\n    case \"$p\" in /*) ;; *) continue ;; esac\n    d=$(cd -P -- \"${p%/*}/\" 2>/dev/null && pwd -P) || continue\n    q=\"${d%/}/${p##*/}\"\n    case \"${q#/}\" in ''|.|..|*/.|*/..) continue ;; */*) ;; *) echo \"slimfile: kept $q: a top-level directory\" >&2; continue ;; esac\n    skip=\n    while IFS= read -r m; do\n      [ -n \"$m\" ] || continue\n      m=\"${m%/}\"\n      case \"$q/\" in \"$m\"/*) skip=1 ;; esac\n      case \"$m/\" in \"$q\"/*) skip=1 ;; esac\n    done <<SLIMFILE_EOF\n$slimfile_keep\nSLIMFILE_EOF\n    if [ -n \"$skip\" ]; then echo \"slimfile: kept $q: a mount of the group is there\" >&2; continue; fi\n    rm -rf -- \"$q\"\n  done\n}\nslimfile_keep=''\nslimfile_rm /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*\n"]
COPY --from=builder /usr/local/bin/hello /usr/local/bin/hello
CMD ["hello"]
