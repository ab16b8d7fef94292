FROM debian:bookworm

# One apt layer: refresh the lists, install, and delete the lists in the same RUN.
# slimfile: line 4 as one layer, with apt cleanup
RUN ["/bin/sh","-c","/bin/sh -c 'apt-get update  && apt-get install -y --no-install-recommends       python3 python3-venv       python3-dev build-essential       libopenblas0  && rm -rf /var/lib/apt/lists/*' || exit $?\nrm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/* || :\n"]

RUN python3 -m venv /opt/venv

# One pip layer, no pip cache written.
# slimfile: line 14 as one layer, with pip cleanup
RUN ["/bin/sh","-c","/bin/sh -c '/opt/venv/bin/pip install --no-cache-dir --upgrade pip==26.3  && /opt/venv/bin/pip install --no-cache-dir       numpy==2.4.6       pandas==3.1.1       scipy==1.17.1 scikit-learn==1.9.1       docopt==0.6.2' || exit $?\nhome=${HOME:-}; [ -n \"$home\" ] || home=$(awk -F: -v u=\"$(id -u)\" '$3==u{print $6; exit}' /etc/passwd 2>/dev/null); [ -n \"$home\" ] || home=/root\nrm -rf \"${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}\" || :\n"]

ENV PATH=/opt/venv/bin:$PATH
CMD ["python", "-c", "import numpy, pandas, scipy, sklearn, docopt; print('numpy', numpy.__version__, 'pandas', pandas.__version__, 'scipy', scipy.__version__, 'sklearn', sklearn.__version__, 'docopt', docopt.__version__)"]
