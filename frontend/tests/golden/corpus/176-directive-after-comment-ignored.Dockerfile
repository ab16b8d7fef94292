# a normal comment first
# escape=`
FROM alpine:3.20
RUN echo still backslash \
    continued
