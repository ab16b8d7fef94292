FROM debian AS Build
RUN echo hi
FROM debian AS ok
