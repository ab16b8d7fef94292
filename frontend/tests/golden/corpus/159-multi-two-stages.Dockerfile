# classic two-stage build
FROM debian:bookworm AS build
WORKDIR /src
COPY . .
RUN make build
FROM alpine:3.20
COPY --from=build /src/bin/app /usr/bin/app
CMD ["app"]
