# escape=`
# backtick escape with Windows-like paths
FROM busybox
WORKDIR C:\app
COPY src\ C:\app\src\
RUN echo one `
    && echo two
