# non-ASCII text in LABEL, ENV and RUN
FROM debian:bookworm
LABEL description="Größe – 大きさ – размер"
ENV GREETING=héllo
RUN echo "☃ $GREETING"
