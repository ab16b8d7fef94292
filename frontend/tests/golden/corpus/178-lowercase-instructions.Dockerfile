# instructions written in lower and mixed case
from alpine:3.20 as base
run echo lower
Env K=v
from base
WorkDir /x
copy --from=base /etc/hostname ./
cmd ["sh"]
