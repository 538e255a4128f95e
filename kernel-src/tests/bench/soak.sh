#!/bin/sh
# soak.sh — runs the soak benchmark (soak.mjs) for `make bench`; SOAK_SECONDS sets its length.
exec node "$(dirname "$0")/soak.mjs"
