# several CMD instructions: the last one wins (lint warning)
FROM alpine:3.20
CMD ["first"]
CMD ["second"]
