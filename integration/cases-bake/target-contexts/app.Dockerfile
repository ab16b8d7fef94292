# `mybase` and `tools` are bake target: contexts, i.e. frontend inputs: the image
# config of mybase (ENV, WORKDIR, USER) must come through as well as its files.
FROM mybase
COPY --from=tools /bin/tool.sh /usr/local/bin/tool.sh
RUN echo "$GREETING in $(pwd) as $(id -un)" > /tmp/app.txt
RUN --mount=from=tools,target=/t /t/bin/tool.sh >> /tmp/app.txt
CMD ["sh", "-c", "cat base.txt /tmp/app.txt; env | grep -E '^(GREETING|APP_HOME)=' | sort; tool.sh"]
