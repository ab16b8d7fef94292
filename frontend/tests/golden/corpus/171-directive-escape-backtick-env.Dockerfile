# escape=`
# backtick escape leaves backslashes literal in ENV and LABEL
FROM debian:bookworm
ENV WINPATH=C:\Program` Files\Tool
LABEL path="C:\data" `
      other=value
