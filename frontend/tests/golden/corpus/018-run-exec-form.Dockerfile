# RUN in exec (JSON) form
FROM alpine:3.20
RUN ["/bin/echo", "hello", "world"]
RUN ["sh", "-c", "echo $HOME"]
