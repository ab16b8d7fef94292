FROM debian:bookworm

# Node.js and npm from Debian, one step per line.
# slimfile: lines 4, 5, 6 as one layer, with apt cleanup
RUN ["/bin/sh","-c","/bin/sh -c 'apt-get update' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends nodejs' || exit $?\n/bin/sh -c 'apt-get install -y --no-install-recommends npm' || exit $?\nrm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/* || :\n"]

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY package.json package-lock.json ./
# slimfile: line 12 as one layer, with npm cleanup
RUN ["/bin/sh","-c","/bin/sh -c 'npm install --omit=dev' || exit $?\nhome=${HOME:-}; [ -n \"$home\" ] || home=$(awk -F: -v u=\"$(id -u)\" '$3==u{print $6; exit}' /etc/passwd 2>/dev/null); [ -n \"$home\" ] || home=/root\nrm -rf \"${npm_config_cache:-$home/.npm}/_cacache\" || :\n"]

COPY . .

EXPOSE 3000
CMD ["node", "index.js"]
