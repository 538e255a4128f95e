#!/bin/sh
# boot.sh — runs the boot-time benchmark (boot.mjs) for `make bench`.
exec node "$(dirname "$0")/boot.mjs"
