# global ARGs with modifiers in FROM and a redeclared one in COPY
ARG IMG=alpine:3.20-extra
ARG SUFFIX=-slim
FROM ${IMG%-extra}
ARG SUFFIX
COPY app${SUFFIX} /app
RUN echo ${SUFFIX#-}
