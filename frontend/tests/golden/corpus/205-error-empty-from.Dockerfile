# error: FROM without an image
FROM
RUN echo nothing
