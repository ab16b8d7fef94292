FROM debian:bookworm

# Node.js and npm from Debian, one step per line.
# slimfile: lines 4, 5, 6 as one layer, with apt cleanup
RUN ["/bin/sh","-c","/bin/sh -c 'apt-get update' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends nodejs' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends npm' || exit $?\nslimfile_rm() {\n  slimfile_q=\n  for p in \"$@\"; do\n    [ -e \"$p\" ] || [ -L \"$p\" ] || continue\n    case \"$p\" in /*) ;; *) continue ;; esac\n    d=$(cd -P -- \"${p%/*}/\" 2>/dev/null && pwd -P) || continue\n    q=\"${d%/}/${p##*/}\"\n    case \"$q\" in *\"\n\"*) continue ;; esac\n    case \"${q#/}\" in ''|.|..|*/.|*/..) continue ;; */*) ;; *) echo \"slimfile: kept $q: a top-level directory\" >&2; continue ;; esac\n    skip=\n    while IFS= read -r m; do\n      [ -n \"$m\" ] || continue\n      m=\"${m%/}\"\n      case \"$q/\" in \"$m\"/*) skip=1 ;; esac\n      case \"$m/\" in \"$q\"/*) skip=1 ;; esac\n    done <<SLIMFILE_EOF\n$slimfile_keep\nSLIMFILE_EOF\n    if [ -n \"$skip\" ]; then echo \"slimfile: kept $q: a mount of the group is there\" >&2; continue; fi\n    slimfile_q=\"$slimfile_q$q\n\"\n  done\n  printf %s \"$slimfile_q\" | while IFS= read -r q; do\n    [ -n \"$q\" ] && { rm -rf -- \"$q\" 2>/dev/null || echo \"slimfile: could not remove $q\" >&2; }\n  done\n  return 0\n}\nslimfile_keep=''\nslimfile_rm /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*\n"]

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY package.json package-lock.json ./
# slimfile: line 12 as one layer, with npm cleanup
RUN ["/bin/sh","-c","/bin/sh -c 'npm install --omit=dev' || exit $?\nslimfile_rm() {\n  slimfile_q=\n  for p in \"$@\"; do\n    [ -e \"$p\" ] || [ -L \"$p\" ] || continue\n    case \"$p\" in /*) ;; *) continue ;; esac\n    d=$(cd -P -- \"${p%/*}/\" 2>/dev/null && pwd -P) || continue\n    q=\"${d%/}/${p##*/}\"\n    case \"$q\" in *\"\n\"*) continue ;; esac\n    case \"${q#/}\" in ''|.|..|*/.|*/..) continue ;; */*) ;; *) echo \"slimfile: kept $q: a top-level directory\" >&2; continue ;; esac\n    skip=\n    while IFS= read -r m; do\n      [ -n \"$m\" ] || continue\n      m=\"${m%/}\"\n      case \"$q/\" in \"$m\"/*) skip=1 ;; esac\n      case \"$m/\" in \"$q\"/*) skip=1 ;; esac\n    done <<SLIMFILE_EOF\n$slimfile_keep\nSLIMFILE_EOF\n    if [ -n \"$skip\" ]; then echo \"slimfile: kept $q: a mount of the group is there\" >&2; continue; fi\n    slimfile_q=\"$slimfile_q$q\n\"\n  done\n  printf %s \"$slimfile_q\" | while IFS= read -r q; do\n    [ -n \"$q\" ] && { rm -rf -- \"$q\" 2>/dev/null || echo \"slimfile: could not remove $q\" >&2; }\n  done\n  return 0\n}\nslimfile_keep=''\nhome=${HOME:-}; [ -n \"$home\" ] || home=$(awk -F: -v u=\"$(id -u)\" '$3==u{print $6; exit}' /etc/passwd 2>/dev/null); [ -n \"$home\" ] || home=/\nslimfile_rm \"${npm_config_cache:-$home/.npm}/_cacache\"\n"]

COPY . .

EXPOSE 3000
CMD ["node", "index.js"]
