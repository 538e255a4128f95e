#!/bin/sh
# differential.sh — every lang/examples program runs on the kernel's VM (build/hosted/phrun) and on
# lang's reference interpreter (lang/dist/node/run-image.js) from the same generation-0 store that
# `phc image` wrote; the two console outputs must be identical, byte for byte.
#
# Runs are bounded the same way on both sides: machine time up to MAX_MS on the virtual clock
# (sleeps are instant), so endless programs such as counter.ph stop at the same tick. Needs lang
# built (npx tsc -b lang, which the root npm test does first). Prints "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
LANG_DIR=../lang
PHC=$LANG_DIR/bin/phc.mjs
REFERENCE=$LANG_DIR/dist/node/run-image.js
PHRUN=build/hosted/phrun
MAX_MS=${MAX_MS:-5000}
# Wall-clock guard per run, far above what any example needs, so a hang fails instead of blocking.
GUARD_SECONDS=300

passed=0
failed=0
fail() {
  echo "FAIL differential $1: $2" >&2
  failed=$((failed + 1))
}

for tool in "$PHC" "$REFERENCE" "$PHRUN"; do
  if [ ! -e "$tool" ]; then
    echo "FAIL differential: $tool is missing (build lang with 'npx tsc -b lang' and the kernel's hosted tools)" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

for source in "$LANG_DIR"/examples/*.ph; do
  name=$(basename "$source" .ph)
  package=$(sed -n 's/^package \(.*\);.*/\1/p' "$source" | head -n 1)
  image=$work/$name.img
  if ! node "$PHC" image "$source" --main "$package.$name" -o "$image" >"$work/$name.phc" 2>&1; then
    fail "$name" "phc image failed: $(cat "$work/$name.phc")"
    continue
  fi
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
  passed=$((passed + 1))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
