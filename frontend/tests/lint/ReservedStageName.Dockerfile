FROM debian AS scratch
FROM debian AS context
