FROM debian AS base
SHELL ["/bin/bash", "-c"]
CMD echo inherited shell
FROM debian AS other
CMD echo hi
ENTRYPOINT ["run"]
FROM base
COPY --from=other /x /x
