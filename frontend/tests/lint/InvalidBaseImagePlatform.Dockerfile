# lint-test: base-arch=arm64
FROM debian
