# \$ is a literal dollar sign
FROM alpine:3.20
ENV PRICE=\$5 HOME_LITERAL=\${HOME}
RUN echo $PRICE
