# ONBUILD with a RUN heredoc
FROM busybox
ONBUILD RUN <<EOF
echo triggered
EOF
