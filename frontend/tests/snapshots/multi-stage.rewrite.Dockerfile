# Build stage: compilers and headers, one apt step per line.
FROM debian:bookworm AS builder
# slimfile: lines 3, 4, 5 as one layer, with apt cleanup
RUN <<SLIMFILE_GROUP
/bin/sh -c 'apt-get update' || exit $?
/bin/sh -c 'apt-get install -y --no-install-recommends gcc libc6-dev' || exit $?
/bin/sh -c 'apt-get install -y --no-install-recommends libsqlite3-dev' || exit $?
# slimfile: apt cleanup, in the same layer: it deletes only the caches the manager wrote, never under a mount (docs/cleanup.md)
slimfile_take() {
  case "$1" in *"
"*) return ;; esac
  case "${1#/}" in ''|.|..|*/.|*/..) return ;; */*) ;; *) echo "slimfile: kept $1: a top-level directory" >&2; return ;; esac
  slimfile_skip=
  while IFS= read -r m; do
    [ -n "$m" ] || continue
    m="${m%/}"
    case "$1/" in "$m"/*) slimfile_skip=1 ;; esac
    case "$m/" in "$1"/*) slimfile_skip=1 ;; esac
  done <<SLIMFILE_EOF
$slimfile_keep
SLIMFILE_EOF
  if [ -n "$slimfile_skip" ]; then echo "slimfile: kept $1: a mount of the group is there" >&2; return; fi
  slimfile_q="$slimfile_q$1
"
}
slimfile_rm() {
  slimfile_q=
  for p in "$@"; do
    case "$p" in /*) ;; *) continue ;; esac
    case "$p" in
      */)
        [ -d "$p" ] || continue
        d=$(cd -P -- "$p" 2>/dev/null && pwd -P) || continue
        case "${d#/}" in ''|*"
"*) continue ;; */*) ;; *) echo "slimfile: kept the contents of $d: a top-level directory" >&2; continue ;; esac
        for c in "$d"/* "$d"/.[!.]* "$d"/..?*; do
          [ -e "$c" ] || [ -L "$c" ] || continue
          slimfile_take "$c"
        done ;;
      *)
        [ -e "$p" ] || [ -L "$p" ] || continue
        d=$(cd -P -- "${p%/*}/" 2>/dev/null && pwd -P) || continue
        slimfile_take "${d%/}/${p##*/}" ;;
    esac
  done
  printf %s "$slimfile_q" | while IFS= read -r q; do
    [ -n "$q" ] && { rm -rf -- "$q" 2>/dev/null || echo "slimfile: could not remove $q" >&2; }
  done
  return 0
}
slimfile_keep=''
slimfile_rm /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*
SLIMFILE_GROUP

WORKDIR /src
COPY hello.c .
RUN gcc -O2 -Wall -o /usr/local/bin/hello hello.c -lsqlite3

# Runtime stage: only the shared library the program needs.
FROM debian:bookworm
# slimfile: lines 12, 13 as one layer, with apt cleanup
RUN <<SLIMFILE_GROUP
/bin/sh -c 'apt-get update' || exit $?
/bin/sh -c 'apt-get install -y --no-install-recommends libsqlite3-0' || exit $?
# slimfile: apt cleanup, in the same layer: it deletes only the caches the manager wrote, never under a mount (docs/cleanup.md)
slimfile_take() {
  case "$1" in *"
"*) return ;; esac
  case "${1#/}" in ''|.|..|*/.|*/..) return ;; */*) ;; *) echo "slimfile: kept $1: a top-level directory" >&2; return ;; esac
  slimfile_skip=
  while IFS= read -r m; do
    [ -n "$m" ] || continue
    m="${m%/}"
    case "$1/" in "$m"/*) slimfile_skip=1 ;; esac
    case "$m/" in "$1"/*) slimfile_skip=1 ;; esac
  done <<SLIMFILE_EOF
$slimfile_keep
SLIMFILE_EOF
  if [ -n "$slimfile_skip" ]; then echo "slimfile: kept $1: a mount of the group is there" >&2; return; fi
  slimfile_q="$slimfile_q$1
"
}
slimfile_rm() {
  slimfile_q=
  for p in "$@"; do
    case "$p" in /*) ;; *) continue ;; esac
    case "$p" in
      */)
        [ -d "$p" ] || continue
        d=$(cd -P -- "$p" 2>/dev/null && pwd -P) || continue
        case "${d#/}" in ''|*"
"*) continue ;; */*) ;; *) echo "slimfile: kept the contents of $d: a top-level directory" >&2; continue ;; esac
        for c in "$d"/* "$d"/.[!.]* "$d"/..?*; do
          [ -e "$c" ] || [ -L "$c" ] || continue
          slimfile_take "$c"
        done ;;
      *)
        [ -e "$p" ] || [ -L "$p" ] || continue
        d=$(cd -P -- "${p%/*}/" 2>/dev/null && pwd -P) || continue
        slimfile_take "${d%/}/${p##*/}" ;;
    esac
  done
  printf %s "$slimfile_q" | while IFS= read -r q; do
    [ -n "$q" ] && { rm -rf -- "$q" 2>/dev/null || echo "slimfile: could not remove $q" >&2; }
  done
  return 0
}
slimfile_keep=''
slimfile_rm /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*
SLIMFILE_GROUP

COPY --from=builder /usr/local/bin/hello /usr/local/bin/hello
CMD ["hello"]
