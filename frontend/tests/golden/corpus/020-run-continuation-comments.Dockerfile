# comment lines and an empty line inside a continuation
FROM alpine:3.20
RUN echo start \
# this comment is dropped
    && echo middle \

    && echo end
