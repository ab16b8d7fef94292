# The official check runs while dispatching, so a stage the build never reaches is not checked
FROM debian:bookworm AS unused
CMD echo "never built"

FROM debian:bookworm
RUN true
CMD echo "built"
