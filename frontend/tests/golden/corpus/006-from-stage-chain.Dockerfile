# three stages each FROM the previous one
FROM debian:bookworm AS one
RUN touch /one
FROM one AS two
RUN touch /two
FROM two AS three
RUN ls /one /two
