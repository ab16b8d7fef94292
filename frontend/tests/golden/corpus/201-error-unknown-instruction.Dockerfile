# error: unknown instruction
FROM alpine:3.20
FROBNICATE something
