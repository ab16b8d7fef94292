# double-quoted heredoc delimiter
FROM busybox
ARG GREETING=hi
RUN <<"END"
echo $GREETING
END
