#!/bin/sh
# differential.sh — every lang/examples program, and the programs in tests/hosted/programs (which
# reach every native, the VM's errors caught and uncaught, and 31-bit arithmetic edges, and try to
# break the type system through arrays), runs on the kernel's VM (build/hosted/phrun) and on
# lang's reference interpreter (lang/dist/node/run-image.js) from the same generation-0 store that
# `phc image` wrote; the two console outputs must be identical, byte for byte, and a program of
# tests/hosted/programs with a NAME.expected beside it must print exactly that (two VMs agreeing
# on a wrong answer fail too; lang's own tests check the examples' .expected, which are prefixes).
#
# Runs are bounded the same way on both sides: machine time up to MAX_MS on the virtual clock
# (sleeps are instant), so endless programs such as counter.ph stop at the same tick; and, for each
# of STEP_LIMITS, after the same number of bytecodes (which also checks that both count
# instructions and switch threads at the same points). Needs lang
# built (npx tsc -b lang, which the root npm test does first). Prints "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
SUITE=differential
. tests/lib/hosted.sh
PHRUN=build/hosted/phrun
MAX_MS=${MAX_MS:-5000}
# Bytecode counts at which both interpreters are also stopped (not multiples of TIME_SLICE).
STEP_LIMITS="777 12345 100001"
require_tools "$PHC" "$REFERENCE" "$PHRUN"

for source in "$LANG_DIR"/examples/*.ph tests/hosted/programs/*.ph; do
  build_image "$source" || continue
  if ! timeout "$GUARD_SECONDS" node "$REFERENCE" "$image" --max-ms "$MAX_MS" >"$work/$name.reference" 2>"$work/$name.reference.err"; then
    fail "$name" "reference interpreter failed: $(cat "$work/$name.reference.err")"
    continue
  fi
  if ! timeout "$GUARD_SECONDS" "$PHRUN" --virtual-clock --max-ms "$MAX_MS" "$image" >"$work/$name.phrun" 2>"$work/$name.phrun.err"; then
    fail "$name" "phrun failed: $(cat "$work/$name.phrun.err")"
    continue
  fi
  if ! cmp -s "$work/$name.reference" "$work/$name.phrun"; then
    fail "$name" "outputs differ (reference, then phrun):"
    diff "$work/$name.reference" "$work/$name.phrun" | head -n 20 >&2
    continue
  fi
  if [ ! -s "$work/$name.phrun" ]; then
    fail "$name" "no output at all"
    continue
  fi
  expected=${source%.ph}.expected
  if [ "${source#tests/hosted/programs/}" != "$source" ] && [ -e "$expected" ] &&
    ! cmp -s "$expected" "$work/$name.phrun"; then
    fail "$name" "output differs from $expected (expected, then both VMs'):"
    diff "$expected" "$work/$name.phrun" | head -n 20 >&2
    continue
  fi
  passed=$((passed + 1))
  # Cut both runs at the same bytecode: the outputs still agree (same instruction counts, turns).
  for steps in $STEP_LIMITS; do
    node "$REFERENCE" "$image" --max-steps "$steps" >"$work/$name.reference" 2>&1
    "$PHRUN" --virtual-clock --max-steps "$steps" "$image" >"$work/$name.phrun" 2>&1
    if cmp -s "$work/$name.reference" "$work/$name.phrun"; then
      passed=$((passed + 1))
    else
      fail "$name" "outputs differ when both stop after $steps bytecodes"
    fi
  done
done

report
