# ENV with double quotes, single quotes and escaped spaces
FROM busybox
ENV MSG="hello world" RAW='$NOT_EXPANDED' SPACED=a\ b
ENV JSONISH="{\"k\": \"v\"}"
RUN echo "$MSG" "$RAW" "$SPACED" "$JSONISH"
