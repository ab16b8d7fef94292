# CMD in shell form (ArgsEscaped)
FROM debian:bookworm
CMD echo "hello $HOME"
