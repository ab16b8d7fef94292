# RUN heredoc with a shebang selects the interpreter
FROM debian:bookworm
RUN <<EOF
#!/usr/bin/env python3
print("hello from python")
EOF
