# ADD a local file
FROM alpine:3.20
ADD hello.txt /hello.txt
