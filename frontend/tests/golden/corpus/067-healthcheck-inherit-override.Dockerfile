# HEALTHCHECK inherited from a stage then disabled with NONE
FROM alpine:3.20 AS base
HEALTHCHECK --interval=1m CMD true
FROM base AS nocheck
HEALTHCHECK NONE
FROM base
HEALTHCHECK --retries=1 CMD ["false"]
