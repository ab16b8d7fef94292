FROM debian:bookworm

# System packages, one step per line.
# slimfile: lines 4, 5, 6, 7 as one layer, with apt cleanup
RUN <<SLIMFILE_GROUP
/bin/sh -c 'apt-get update' || exit $?
/bin/sh -c 'apt-get install -y --no-install-recommends python3 python3-venv' || exit $?
/bin/sh -c 'apt-get install -y --no-install-recommends python3-dev build-essential' || exit $?
/bin/sh -c 'apt-get install -y --no-install-recommends libopenblas0' || exit $?
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

# A virtual environment for the Python packages.
RUN python3 -m venv /opt/venv

# Python packages, one step per line.
# slimfile: lines 13, 14, 15, 16, 17 as one layer, with pip cleanup
RUN <<SLIMFILE_GROUP
/bin/sh -c '/opt/venv/bin/pip install --upgrade pip==26.3' || exit $?
/bin/sh -c '/opt/venv/bin/pip install numpy==2.4.6' || exit $?
/bin/sh -c '/opt/venv/bin/pip install pandas==3.1.1' || exit $?
/bin/sh -c '/opt/venv/bin/pip install scipy==1.17.1 scikit-learn==1.9.1' || exit $?
/bin/sh -c '/opt/venv/bin/pip install docopt==0.6.2' || exit $?
# slimfile: pip cleanup, in the same layer: it deletes only the caches the manager wrote, never under a mount (docs/cleanup.md)
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
slimfile_rm "${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}"/http/ "${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}"/http-v2/ "${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}"/wheels/ "${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}"/selfcheck*
SLIMFILE_GROUP

# Tidy up at the end.
RUN apt-get clean && rm -rf /var/lib/apt/lists/*

ENV PATH=/opt/venv/bin:$PATH
CMD ["python", "-c", "import numpy, pandas, scipy, sklearn, docopt; print('numpy', numpy.__version__, 'pandas', pandas.__version__, 'scipy', scipy.__version__, 'sklearn', sklearn.__version__, 'docopt', docopt.__version__)"]
