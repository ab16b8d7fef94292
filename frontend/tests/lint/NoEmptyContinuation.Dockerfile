FROM debian
RUN echo a \

    b
