# diamond dependency between four stages
FROM alpine:3.20 AS base
RUN echo base > /base
FROM base AS left
RUN echo l > /l
FROM base AS right
RUN echo r > /r
FROM base AS final
COPY --from=left /l /l
COPY --from=right /r /r
