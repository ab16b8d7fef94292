# global ARG before FROM used as the whole image reference
ARG BASE=alpine:3.20
FROM ${BASE}
RUN echo base
