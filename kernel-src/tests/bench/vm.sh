#!/bin/sh
# vm.sh — runs the VM benchmarks (vm.mjs) for `make bench`.
exec node "$(dirname "$0")/vm.mjs"
