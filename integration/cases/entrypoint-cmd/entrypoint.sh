#!/bin/sh
echo "entrypoint got $# args: $*"
exit 3
