# ADD --exclude with a local directory
FROM busybox
ADD --exclude=*.tmp --exclude=cache/ project/ /project/
