FROM debian
ENV A b
LABEL k v
ENV C=d
