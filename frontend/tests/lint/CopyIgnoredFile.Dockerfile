# lint-test: exclude=secret.txt,docs
FROM debian
COPY secret.txt docs/x.md ok.txt /app/
