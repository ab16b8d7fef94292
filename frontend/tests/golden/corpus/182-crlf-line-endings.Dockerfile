# CRLF line endings
FROM alpine:3.20
RUN echo crlf \
    && echo next
ENV A=1
