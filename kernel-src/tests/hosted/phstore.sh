#!/bin/sh
# phstore.sh — the kernel's store code and lang's store code agree on the format, both ways:
# for each lang/examples program, `phc image` writes generation 0, phstore (core/store.c)
# verifies it and commits generation 1 on top (every page rewritten), and lang's reference
# interpreter, which reads stores with its own reader, mounts generation 1 and prints exactly
# what it printed from generation 0. Needs lang built (npx tsc -b lang). Prints "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
SUITE=phstore
. tests/lib/hosted.sh
PHSTORE=build/hosted/phstore
MAX_MS=${MAX_MS:-2000}
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
  passed=$((passed + 1))
done

report
