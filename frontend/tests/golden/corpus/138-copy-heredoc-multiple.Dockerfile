# COPY two heredocs into a directory, one with expansion
FROM busybox
ARG VERSION=1.0
COPY <<one.txt <<"two.txt" /texts/
version $VERSION
one.txt
literal $VERSION
two.txt
