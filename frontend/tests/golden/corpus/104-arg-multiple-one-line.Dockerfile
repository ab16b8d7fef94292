# several ARGs declared in one instruction
FROM busybox
ARG A=1 B=two C
RUN echo $A $B $C
