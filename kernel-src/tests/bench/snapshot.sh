#!/bin/sh
# snapshot.sh — runs the persistence benchmarks (snapshot.mjs) for `make bench`; table in docs/bench-persistence.md.
exec node "$(dirname "$0")/snapshot.mjs"
