#check = error=true
# check directive with error=true but no violations, no spaces style
FROM alpine:3.20
CMD ["true"]
