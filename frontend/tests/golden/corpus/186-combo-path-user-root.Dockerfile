# PATH reassignment with USER root, 0 and a named user
FROM alpine:3.20
ENV PATH=/usr/local/go/bin:$PATH
USER root
RUN go version || true
USER 0:0
ENV PATH=$PATH:/root/go/bin
USER nobody
RUN echo $PATH
