#!/bin/sh
# phstore.sh — the kernel's store code and lang's store code agree on the format, both ways:
# for each lang/examples program, `phc image` writes generation 0, phstore (core/store.c)
# verifies it and commits generation 1 on top (every page rewritten), and lang's reference
# interpreter, which reads stores with its own reader, mounts generation 1 and prints exactly
# what it printed from generation 0. Then a branch: the reference interpreter's space after
# BRANCH_STEPS bytecodes from generation 0 is committed by `phstore branch --parent 0` as
# generation 2, whose parent phstore lists as 0, which verifies and which the reference
# interpreter mounts and runs; a dump of the wrong size, a parent not kept and a space
# vm_try_start refuses are turned away with the store unchanged. Needs lang built (npx tsc -b
# lang). Prints "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
SUITE=phstore
. tests/lib/hosted.sh
PHSTORE=build/hosted/phstore
MAX_MS=${MAX_MS:-2000}
BRANCH_STEPS=${BRANCH_STEPS:-20000}
require_tools "$PHC" "$REFERENCE" "$PHSTORE"

for source in "$LANG_DIR"/examples/*.ph; do
  build_image "$source" || continue
  if ! "$PHSTORE" verify "$image" >"$work/$name.verify0" 2>&1 || ! grep -q "^generation 0: ok$" "$work/$name.verify0"; then
    fail "$name" "generation 0 as phc wrote it does not verify: $(cat "$work/$name.verify0")"
    continue
  fi
  if ! timeout "$GUARD_SECONDS" node "$REFERENCE" "$image" --gen 0 --max-ms "$MAX_MS" >"$work/$name.gen0" 2>&1; then
    fail "$name" "reference run of generation 0 failed: $(cat "$work/$name.gen0")"
    continue
  fi
  if ! "$PHSTORE" recommit "$image" >"$work/$name.recommit" 2>&1 ||
    ! grep -q "^generation 1 committed (parent 0)" "$work/$name.recommit"; then
    fail "$name" "commit of generation 1 failed: $(cat "$work/$name.recommit")"
    continue
  fi
  if ! "$PHSTORE" verify "$image" >"$work/$name.verify1" 2>&1 || ! grep -q "^generation 1: ok$" "$work/$name.verify1"; then
    fail "$name" "generation 1 does not verify: $(cat "$work/$name.verify1")"
    continue
  fi
  if ! timeout "$GUARD_SECONDS" node "$REFERENCE" "$image" --max-ms "$MAX_MS" >"$work/$name.gen1" 2>&1; then
    fail "$name" "reference run of generation 1 failed: $(cat "$work/$name.gen1")"
    continue
  fi
  if ! cmp -s "$work/$name.gen0" "$work/$name.gen1" || [ ! -s "$work/$name.gen1" ]; then
    fail "$name" "generation 1 runs differently from generation 0 (or prints nothing):"
    diff "$work/$name.gen0" "$work/$name.gen1" | head -n 20 >&2
    continue
  fi
  if ! timeout "$GUARD_SECONDS" node "$REFERENCE" "$image" --gen 0 --max-steps "$BRANCH_STEPS" \
    --dump-space "$work/$name.space" >/dev/null 2>&1; then
    fail "$name" "reference run to $BRANCH_STEPS steps failed"
    continue
  fi
  cp "$image" "$work/$name.before"
  head -c 4096 "$work/$name.space" >"$work/$name.short"
  cp "$work/$name.space" "$work/$name.bad" && printf 'XXXX' | dd of="$work/$name.bad" conv=notrunc 2>/dev/null
  refused=""
  "$PHSTORE" branch "$image" --parent 0 "$work/$name.short" >"$work/$name.r1" 2>&1 && refused="a short dump"
  "$PHSTORE" branch "$image" --parent 7 "$work/$name.space" >"$work/$name.r2" 2>&1 && refused="parent 7"
  "$PHSTORE" branch "$image" --parent 0 "$work/$name.bad" >"$work/$name.r3" 2>&1 && refused="a bad magic"
  if [ -n "$refused" ] || ! cmp -s "$image" "$work/$name.before" ||
    ! grep -q "the space dump is 4096 bytes" "$work/$name.r1" ||
    ! grep -q "generation 7 is not kept" "$work/$name.r2" ||
    ! grep -q "not a space the kernel would run" "$work/$name.r3"; then
    fail "$name" "a bad branch was not refused cleanly ($refused): $(cat "$work/$name.r1" "$work/$name.r2" "$work/$name.r3")"
    continue
  fi
  if ! "$PHSTORE" branch "$image" --parent 0 "$work/$name.space" >"$work/$name.branch" 2>&1 ||
    ! grep -q "^generation 2 committed (parent 0)" "$work/$name.branch"; then
    fail "$name" "branch failed: $(cat "$work/$name.branch")"
    continue
  fi
  if ! "$PHSTORE" verify "$image" >"$work/$name.verify2" 2>&1 || ! grep -q "^generation 2: ok$" "$work/$name.verify2" ||
    ! "$PHSTORE" info "$image" | grep -Eq "^ +2 +0 .* intact$"; then
    fail "$name" "generation 2 does not verify or does not name parent 0: $(cat "$work/$name.verify2")"
    continue
  fi
  if ! timeout "$GUARD_SECONDS" node "$REFERENCE" "$image" --gen 2 --max-ms "$MAX_MS" >/dev/null 2>&1; then
    fail "$name" "reference run of generation 2 failed"
    continue
  fi
  passed=$((passed + 1))
done

report
