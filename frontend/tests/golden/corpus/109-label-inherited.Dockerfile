# LABELs from a base stage are kept and merged
FROM busybox AS base
LABEL tier=base shared=base
FROM base
LABEL shared=child
