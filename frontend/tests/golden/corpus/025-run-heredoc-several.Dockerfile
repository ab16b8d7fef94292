# several heredocs in one RUN feeding different commands
FROM alpine:3.20
RUN <<FILE1 cat > /a.txt && <<FILE2 cat > /b.txt
first file
FILE1
second file
FILE2
