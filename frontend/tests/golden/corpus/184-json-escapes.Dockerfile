# JSON-form arguments with escapes
FROM alpine:3.20
RUN ["sh", "-c", "printf '%s\\n' \"quoted\" \u0041"]
CMD ["echo", "tab\there", "slash\/"]
