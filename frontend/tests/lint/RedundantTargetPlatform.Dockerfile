FROM --platform=$TARGETPLATFORM debian
FROM --platform=${TARGETPLATFORM} debian
