#!/bin/sh
# rollback.sh — runs the rollback benchmark (rollback.mjs) for `make bench`; table in docs/bench-rollback.md.
exec node "$(dirname "$0")/rollback.mjs"
