# a very long RUN spread over many continuation lines
FROM debian:bookworm
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        build-essential ca-certificates curl file git gnupg \
        libssl-dev libffi-dev make pkg-config python3 python3-dev \
        python3-pip unzip wget xz-utils zlib1g-dev; \
    curl -fsSL https://example.com/install.sh -o /tmp/install.sh; \
    sh /tmp/install.sh --prefix=/usr/local --with-feature-a --with-feature-b \
        --with-feature-c --without-feature-d --enable-static --disable-shared; \
    rm -rf /var/lib/apt/lists/* /tmp/install.sh; \
    echo done
