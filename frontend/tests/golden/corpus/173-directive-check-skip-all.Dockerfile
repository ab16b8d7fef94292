# check=skip=all;error=false
# check directive skipping every rule
FROM busybox AS MixedCase
MAINTAINER nobody
CMD echo x
