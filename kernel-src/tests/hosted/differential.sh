#!/bin/sh
# differential.sh — every lang/examples program, and the programs in tests/hosted/programs (which
# reach every native, the VM's errors caught and uncaught, 31-bit arithmetic edges, the memory
# and clock model — fragmentation, allocation counts, OutOfMemory handlers, collector stress,
# threads waiting by yielding — and try to break the type system through arrays), runs on the
# kernel's VM (build/hosted/phrun) and on lang's reference interpreter (lang/dist/node/run-image.js)
# from the same generation-0 store that `phc image` wrote. The two console outputs must be
# identical, byte for byte, and a program of tests/hosted/programs with a NAME.expected beside it
# must print exactly that (two VMs agreeing on a wrong answer fail too; lang's own tests check the
# examples' .expected, which are prefixes). So must the two machines they leave: both dump their
# space when they stop, and lang's space-diff compares the dumps (header, every block's address
# and header, every reachable object's payload; see docs/vm.md, "One model, two VMs").
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
require_tools "$PHC" "$REFERENCE" "$SPACE_DIFF" "$PHRUN"

# same_machine NAME WHEN: the spaces both runs dumped are the same machine.
same_machine() {
  if node "$SPACE_DIFF" "$work/$1.reference.space" "$work/$1.phrun.space" >"$work/$1.space-diff" 2>&1; then
    passed=$((passed + 1))
  else
    fail "$1" "the heaps differ $2 (reference, then phrun):"
    head -n 20 "$work/$1.space-diff" >&2
  fi
}

for source in "$LANG_DIR"/examples/*.ph tests/hosted/programs/*.ph; do
  build_image "$source" || continue
  if ! timeout "$GUARD_SECONDS" node "$REFERENCE" "$image" --max-ms "$MAX_MS" --dump-space "$work/$name.reference.space" \
    >"$work/$name.reference" 2>"$work/$name.reference.err"; then
    fail "$name" "reference interpreter failed: $(cat "$work/$name.reference.err")"
    continue
  fi
  if ! timeout "$GUARD_SECONDS" "$PHRUN" --virtual-clock --max-ms "$MAX_MS" --dump-space "$work/$name.phrun.space" "$image" \
    >"$work/$name.phrun" 2>"$work/$name.phrun.err"; then
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
  same_machine "$name" "at the end"
  # Cut both runs at the same bytecode: the outputs and the machines still agree (same instruction
  # counts, turns, allocations and collections).
  for steps in $STEP_LIMITS; do
    node "$REFERENCE" "$image" --max-steps "$steps" --dump-space "$work/$name.reference.space" >"$work/$name.reference" 2>&1
    "$PHRUN" --virtual-clock --max-steps "$steps" --dump-space "$work/$name.phrun.space" "$image" >"$work/$name.phrun" 2>&1
    if cmp -s "$work/$name.reference" "$work/$name.phrun"; then
      passed=$((passed + 1))
    else
      fail "$name" "outputs differ when both stop after $steps bytecodes"
    fi
    same_machine "$name" "after $steps bytecodes"
  done
done

report
