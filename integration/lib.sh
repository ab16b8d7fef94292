# shellcheck shell=bash disable=SC2034
# Shared helpers for the integration engine scripts (engine-up, engine-down,
# base-image). Source it; it sets no shell options of its own.
#
# Everything lives under the state dir (never in the repo tree):
#   $SLIMFILE_ENGINE_DIR (default /var/tmp/slimfile-engine)
#     apt/       private apt lists/cache/sources for the unstable suite
#     debs/      downloaded .deb files
#     prefix/    the .debs unpacked with dpkg -x (dockerd, containerd, buildx)
#     containerd/  containerd root (persistent)
#     docker/    dockerd data-root (persistent: images survive restarts)
#     run/       pid files
#     log/       containerd.log, dockerd.log
#     rootfs/    cached debootstrap rootfs tarball for the base image

SLIMFILE_ENGINE_DIR="${SLIMFILE_ENGINE_DIR:-/var/tmp/slimfile-engine}"
ENGINE_DIR="$SLIMFILE_ENGINE_DIR"
ENGINE_PREFIX="$ENGINE_DIR/prefix"
ENGINE_APT="$ENGINE_DIR/apt"
ENGINE_DEBS="$ENGINE_DIR/debs"
ENGINE_RUN="$ENGINE_DIR/run"
ENGINE_LOG="$ENGINE_DIR/log"
ENGINE_ROOTFS="$ENGINE_DIR/rootfs"
ENGINE_DOCKER_ROOT="$ENGINE_DIR/docker"
ENGINE_CONTAINERD_ROOT="$ENGINE_DIR/containerd"
# Runtime state and the socket go under /run (short path: unix sockets are
# limited to 108 bytes, and the state dir may be anywhere).
ENGINE_CONTAINERD_STATE="/run/slimfile-containerd"
ENGINE_CONTAINERD_SOCK="$ENGINE_CONTAINERD_STATE/containerd.sock"
ENGINE_CONTAINERD_PID="$ENGINE_RUN/containerd.pid"
ENGINE_DOCKERD_PID="$ENGINE_RUN/dockerd.pid"
# dockerd listens on the default socket, so no DOCKER_HOST is needed.
ENGINE_DOCKER_SOCK="/var/run/docker.sock"

# Debian packages taken from the unstable suite, unpacked into the prefix.
ENGINE_UNSTABLE_PKGS=(docker.io docker-cli docker-buildx containerd tini-static)
# Packages installed from the machine's own suite.
ENGINE_HOST_PKGS=(runc iptables)

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Binaries from the prefix come first on PATH (dockerd looks up docker-proxy,
# docker-init, containerd-shim-runc-v2 and runc on PATH).
engine_path() {
  printf '%s' "$ENGINE_PREFIX/usr/sbin:$ENGINE_PREFIX/usr/bin:$ENGINE_PREFIX/usr/libexec/docker/cli-plugins:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

# The Debian archive URI the host itself uses: the URIs: line of the deb822
# stanza whose Suites: include the machine's codename (not -security), or a
# one-line "deb URI codename ..." entry. Prints nothing if none is found.
debian_codename() {
  local c=""
  if [ -r /etc/os-release ]; then
    c="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
  fi
  printf '%s' "${c:-bookworm}"
}

debian_uri() {
  local codename="${1:-$(debian_codename)}" f uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    uri="$(awk -v want="$codename" '
      function flush() { if (hit && u != "" && out == "") out = u; u = ""; hit = 0 }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      tolower($1) == "uris:"   { u = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) hit = 1 }
      END { flush(); print out }' "$f")"
    [ -n "$uri" ] && break
  done
  if [ -z "$uri" ]; then
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -r "$f" ] || continue
      uri="$(awk -v want="$codename" '
        $1 == "deb" {
          i = 2; if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
          if ($(i + 1) == want) { print $i; exit }
        }' "$f")"
      [ -n "$uri" ] && break
    done
  fi
  printf '%s' "${uri%/}"
}

# apt-get update once per run if the host's package lists are missing.
host_apt_updated=""
host_apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  mkdir -p "$ENGINE_LOG"
  if [ -z "$host_apt_updated" ]; then
    log "apt-get update (host suite)"
    apt-get update -qq >&2
    host_apt_updated=1
  fi
  log "apt-get install ${missing[*]} (log: $ENGINE_LOG/apt-install.log)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${missing[@]}" >"$ENGINE_LOG/apt-install.log" 2>&1; then
    tail -n 20 "$ENGINE_LOG/apt-install.log" >&2
    die "apt-get install ${missing[*]} failed"
  fi
}

# pid_alive FILE NAME: true if FILE holds the pid of a live process whose
# command name is NAME.
pid_alive() {
  local pid
  [ -s "$1" ] || return 1
  pid="$(cat "$1")"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

docker_ok() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

# start_bg PIDFILE LOGFILE CMD...: start CMD in a new session, detached,
# recording its pid (bash writes $$ then execs CMD, so the pid is CMD's).
start_bg() {
  local pidfile="$1" logfile="$2"
  shift 2
  # shellcheck disable=SC2016
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" \
    </dev/null >>"$logfile" 2>&1 &
}

# wait_for DESC SECONDS PIDFILE NAME LOGFILE CHECK...: poll CHECK until it
# succeeds; fail early if the process died.
wait_for() {
  local desc="$1" secs="$2" pidfile="$3" name="$4" logfile="$5" i
  shift 5
  for ((i = 0; i < secs * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ "$i" -gt 5 ] && ! pid_alive "$pidfile" "$name"; then
      tail -n 30 "$logfile" >&2 || true
      die "$name exited while waiting for $desc (log: $logfile)"
    fi
    sleep 0.2
  done
  tail -n 30 "$logfile" >&2 || true
  die "timed out after ${secs}s waiting for $desc (log: $logfile)"
}

# stop PIDFILE NAME SECONDS: SIGTERM, wait, then SIGKILL.
stop() {
  local pidfile="$1" name="$2" secs="$3" pid i
  if ! pid_alive "$pidfile" "$name"; then
    log "$name: not running (by $pidfile)"
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 5; i++)); do
    [ -d "/proc/$pid" ] || break
    sleep 0.2
  done
  if [ -d "/proc/$pid" ]; then
    log "$name (pid $pid) still running after ${secs}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 25; i++)); do
      [ -d "/proc/$pid" ] || break
      sleep 0.2
    done
  fi
  rm -f "$pidfile"
}
