#!/bin/sh
# coldstart.sh — runs the cold-start benchmark (coldstart.mjs) for `make bench`; table in docs/bench-coldstart.md.
exec node "$(dirname "$0")/coldstart.mjs"
