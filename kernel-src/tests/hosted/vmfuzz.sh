#!/bin/sh
# vmfuzz.sh — the VM fuzzer's share of `make test` (and so of npm test): 300 random programs
# (seeds 1 … 300) on lang's reference interpreter and on phrun, compared in output and heap
# (tests/vmfuzz.mjs). More: `npm run soak:vm -- --programs N`. Needs lang built. Prints
# "vmfuzz: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
exec node tests/vmfuzz.mjs --programs "${VMFUZZ_PROGRAMS:-300}"
