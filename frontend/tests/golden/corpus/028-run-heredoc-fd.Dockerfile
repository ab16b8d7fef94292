# heredoc bound to an explicit file descriptor and mixed with a normal command
FROM busybox
RUN 3<<EOF cat /dev/fd/3 > /three && echo done
from fd three
EOF
