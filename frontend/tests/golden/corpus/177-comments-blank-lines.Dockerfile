# comments and blank lines between instructions

# leading comment

FROM alpine:3.20   
# comment before RUN

   # indented comment
RUN echo hi   # not a comment: part of the command


ENV X=1
# trailing comment
