# relative COPY destination after WORKDIR
FROM busybox
WORKDIR /app
COPY package.json ./
COPY lib lib/
COPY index.js .
