FROM debian
run echo one
RUN echo two
COPY a /a
