# several WORKDIRs with RUN in between
FROM busybox
WORKDIR /a
RUN touch here
WORKDIR /b/c
RUN touch here
WORKDIR ../d
RUN pwd
