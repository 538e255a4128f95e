# hosted.sh — what the hosted scripts in tests/hosted that compare the kernel with lang share.
# Source it from kernel-src after setting SUITE (the name failures carry); then `require_tools`
# with every program the script runs, and `build_image SOURCE` for each program (sets name and
# image). Provides LANG_DIR, PHC, REFERENCE, SPACE_DIFF, GUARD_SECONDS, the passed/failed
# counters, fail, and a temporary $work folder removed on exit. Ends with `report`.
LANG_DIR=../lang
PHC=$LANG_DIR/bin/phc.mjs
REFERENCE=$LANG_DIR/dist/node/run-image.js
SPACE_DIFF=$LANG_DIR/dist/node/space-diff.js
# Wall-clock guard per run, far above what any program needs, so a hang fails instead of blocking.
GUARD_SECONDS=120

passed=0
failed=0
fail() {
  echo "FAIL $SUITE $1: $2" >&2
  failed=$((failed + 1))
}

require_tools() {
  for tool in "$@"; do
    if [ ! -e "$tool" ]; then
      echo "FAIL $SUITE: $tool is missing (build lang with 'npx tsc -b lang' and the kernel's hosted tools)" >&2
      echo "0 passed, 1 failed"
      exit 1
    fi
  done
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# Builds $work/NAME.img from SOURCE with phc image, starting the class named after the file in
# its package, in a space of the size a `// space-bytes: N` line asks for (else phc's default);
# sets name and image. Returns 1 (after fail) when phc refuses.
build_image() {
  name=$(basename "$1" .ph)
  package=$(sed -n 's/^package \(.*\);.*/\1/p' "$1" | head -n 1)
  space_bytes=$(sed -n 's|^// space-bytes: \([0-9]*\)$|\1|p' "$1" | head -n 1)
  image=$work/$name.img
  if ! node "$PHC" image "$1" --main "$package.$name" ${space_bytes:+--space-bytes "$space_bytes"} -o "$image" >"$work/$name.phc" 2>&1; then
    fail "$name" "phc image failed: $(cat "$work/$name.phc")"
    return 1
  fi
}

report() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
