# ARG and ENV ordering in the RUN environment
FROM debian:bookworm
ARG B=argb
ENV A=enva
ARG C=argc
ENV B=envb
RUN env
