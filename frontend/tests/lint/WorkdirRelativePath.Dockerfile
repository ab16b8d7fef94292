FROM debian
WORKDIR app
WORKDIR sub
FROM debian
WORKDIR /abs
