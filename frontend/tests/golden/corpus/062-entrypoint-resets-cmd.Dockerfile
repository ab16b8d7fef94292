# ENTRYPOINT in a child stage resets the inherited CMD
FROM alpine:3.20 AS base
CMD ["base-cmd"]
FROM base
ENTRYPOINT ["/entry"]
