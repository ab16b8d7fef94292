# escape=\
# explicit backslash escape directive
FROM alpine:3.20
RUN echo a \
    b
