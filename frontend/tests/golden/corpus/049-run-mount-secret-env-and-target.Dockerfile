# secret with both env and target; secret with no id derives it from target
FROM alpine:3.20
RUN --mount=type=secret,id=db,env=DB_PASS,target=/db cat /db
RUN --mount=type=secret,target=/run/secrets/other cat /run/secrets/other
