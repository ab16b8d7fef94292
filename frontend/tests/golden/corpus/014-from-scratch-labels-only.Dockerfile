# a scratch image with only metadata instructions
FROM scratch
LABEL org.example.kind="empty"
ENV EMPTY=1
