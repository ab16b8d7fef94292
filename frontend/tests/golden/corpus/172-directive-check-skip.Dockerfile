# check=skip=JSONArgsRecommended,StageNameCasing
# check directive skipping two lint rules
FROM alpine:3.20 AS Build
CMD echo not json
