FROM debian:bookworm

# System packages, one step per line.
# slimfile: lines 4, 5, 6, 7 as one layer, with apt cleanup
RUN ["/bin/sh","-c","/bin/sh -c 'apt-get update' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends python3 python3-venv' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends python3-dev build-essential' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends libopenblas0' || exit $?\nslimfile_rm() {\n  for p in \"$@\"; do\n    [ -e \"$p\" ] || [ -L \"$p\" ] || continue\n    case \"$p\" in /*) ;; *) continue ;; esac\n    d=$(cd -P -- \"${p%/*}/\" 2>/dev/null && pwd -P) || continue\n    q=\"${d%/}/${p##*/}\"\n    case \"${q#/}\" in ''|.|..|*/.|*/..) continue ;; */*) ;; *) echo \"slimfile: kept $q: a top-level directory\" >&2; continue ;; esac\n    skip=\n    while IFS= read -r m; do\n      [ -n \"$m\" ] || continue\n      m=\"${m%/}\"\n      case \"$q/\" in \"$m\"/*) skip=1 ;; esac\n      case \"$m/\" in \"$q\"/*) skip=1 ;; esac\n    done <<SLIMFILE_EOF\n$slimfile_keep\nSLIMFILE_EOF\n    if [ -n \"$skip\" ]; then echo \"slimfile: kept $q: a mount of the group is there\" >&2; continue; fi\n    rm -rf -- \"$q\"\n  done\n}\nslimfile_keep=''\nslimfile_rm /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*\n"]

# A virtual environment for the Python packages.
RUN python3 -m venv /opt/venv

# Python packages, one step per line.
# slimfile: lines 13, 14, 15, 16, 17 as one layer, with pip cleanup
RUN ["/bin/sh","-c","/bin/sh -c '/opt/venv/bin/pip install --upgrade pip==26.3' || exit $?\n/bin/sh -c '/opt/venv/bin/pip install numpy==2.4.6' || exit $?\n/bin/sh -c '/opt/venv/bin/pip install pandas==3.1.1' || exit $?\n/bin/sh -c '/opt/venv/bin/pip install scipy==1.17.1 scikit-learn==1.9.1' || exit $?\n/bin/sh -c '/opt/venv/bin/pip install docopt==0.6.2' || exit $?\nslimfile_rm() {\n  for p in \"$@\"; do\n    [ -e \"$p\" ] || [ -L \"$p\" ] || continue\n    case \"$p\" in /*) ;; *) continue ;; esac\n    d=$(cd -P -- \"${p%/*}/\" 2>/dev/null && pwd -P) || continue\n    q=\"${d%/}/${p##*/}\"\n    case \"${q#/}\" in ''|.|..|*/.|*/..) continue ;; */*) ;; *) echo \"slimfile: kept $q: a top-level directory\" >&2; continue ;; esac\n    skip=\n    while IFS= read -r m; do\n      [ -n \"$m\" ] || continue\n      m=\"${m%/}\"\n      case \"$q/\" in \"$m\"/*) skip=1 ;; esac\n      case \"$m/\" in \"$q\"/*) skip=1 ;; esac\n    done <<SLIMFILE_EOF\n$slimfile_keep\nSLIMFILE_EOF\n    if [ -n \"$skip\" ]; then echo \"slimfile: kept $q: a mount of the group is there\" >&2; continue; fi\n    rm -rf -- \"$q\"\n  done\n}\nslimfile_keep=''\nhome=${HOME:-}; [ -n \"$home\" ] || home=$(awk -F: -v u=\"$(id -u)\" '$3==u{print $6; exit}' /etc/passwd 2>/dev/null); [ -n \"$home\" ] || home=/\nslimfile_rm \"${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}\"/http \"${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}\"/http-v2 \"${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}\"/wheels \"${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}\"/selfcheck*\n"]

# Tidy up at the end.
RUN apt-get clean && rm -rf /var/lib/apt/lists/*

ENV PATH=/opt/venv/bin:$PATH
CMD ["python", "-c", "import numpy, pandas, scipy, sklearn, docopt; print('numpy', numpy.__version__, 'pandas', pandas.__version__, 'scipy', scipy.__version__, 'sklearn', sklearn.__version__, 'docopt', docopt.__version__)"]
