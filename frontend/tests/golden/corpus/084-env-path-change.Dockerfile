# PATH changes: prepend, append, replace
FROM debian:bookworm
ENV PATH=/opt/tool/bin:$PATH
RUN echo $PATH
ENV PATH="${PATH}:/extra/bin"
RUN echo $PATH
ENV PATH=/only/this
RUN ["env"]
