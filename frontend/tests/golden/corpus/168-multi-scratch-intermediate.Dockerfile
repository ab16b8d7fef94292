# an intermediate scratch stage used for packaging
FROM busybox AS build
RUN echo a > /a && echo b > /b
FROM scratch AS export
COPY --from=build /a /b /
FROM alpine:3.20
COPY --from=export / /exported/
