FROM debian:bookworm

# Node.js and npm from Debian, one step per line.
# slimfile: lines 4, 5, 6 as one layer, with apt cleanup
RUN <<SLIMFILE_GROUP
/bin/sh -c 'apt-get update' || exit $?
/bin/sh -c 'apt-get install -y --no-install-recommends nodejs' || exit $?
/bin/sh -c 'apt-get install -y --no-install-recommends npm' || exit $?
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

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY package.json package-lock.json ./
# slimfile: line 12 as one layer, with npm cleanup
RUN <<SLIMFILE_GROUP
/bin/sh -c 'npm install --omit=dev' || exit $?
# slimfile: npm cleanup, in the same layer: it deletes only the caches the manager wrote, never under a mount (docs/cleanup.md)
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
home=${HOME:-}; [ -n "$home" ] || home=$(awk -F: -v u="$(id -u)" '$3==u{print $6; exit}' /etc/passwd 2>/dev/null); [ -n "$home" ] || home=/
slimfile_rm "${npm_config_cache:-$home/.npm}/_cacache"/
SLIMFILE_GROUP

COPY . .

EXPOSE 3000
CMD ["node", "index.js"]
