#!/bin/sh
# phrun.sh — the hosted runner's command line and its handling of bad input: usage errors exit 2,
# files that are not a loadable space (missing, empty, random bytes, a store or raw dump with
# damaged bytes, a store cut short) exit 1 with a message and never crash, and lang's reference
# interpreter refuses a store cut short too; a good raw dump runs; what the machine printed is on
# stdout even when phrun is killed. Prints "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
PHRUN=build/hosted/phrun
passed=0
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

expect_status() { # name, expected status, command...
  name=$1 want=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  got=$?
  if [ "$got" -eq "$want" ]; then
    passed=$((passed + 1))
  else
    echo "FAIL phrun $name: exit $got, expected $want; stderr: $(head -c 300 "$work/err")" >&2
    failed=$((failed + 1))
  fi
}

expect_status "no arguments" 2 "$PHRUN"
expect_status "unknown option" 2 "$PHRUN" --bogus x
expect_status "bad number" 2 "$PHRUN" --max-ms -5 x
expect_status "two files" 2 "$PHRUN" a b
expect_status "missing file" 1 "$PHRUN" "$work/none"
: >"$work/empty"
expect_status "empty file" 1 "$PHRUN" "$work/empty"

# Random files of several sizes, and random files that start like a raw space dump.
i=0
while [ $i -lt 20 ]; do
  head -c $(((i % 5 + 1) * 1048576)) /dev/urandom >"$work/random"
  expect_status "random bytes $i" 1 "$PHRUN" "$work/random"
  printf 'PHOS' | dd of="$work/random" conv=notrunc 2>/dev/null
  expect_status "random raw dump $i" 1 "$PHRUN" "$work/random"
  i=$((i + 1))
done

# A real space as a raw dump: runs; with its header damaged: refused with the reason.
{
  printf 'PHOS\002\000\000\000\000\000\020\000'
  head -c 1048564 /dev/zero
} >"$work/raw"
expect_status "raw dump with no root" 1 "$PHRUN" "$work/raw"
grep -q "SH_TOP\|root\|SH_ROOT" "$work/err" || {
  echo "FAIL phrun raw dump: no reason given: $(cat "$work/err")" >&2
  failed=$((failed + 1))
}

# A store from phc image, then damaged page by page: refused or run, never a crash.
if [ -e ../lang/bin/phc.mjs ] && node ../lang/bin/phc.mjs image ../lang/examples/graph.ph --main .demo.graph \
  --space-bytes 1048576 --disk-bytes 4194304 -o "$work/store" >"$work/phc" 2>&1; then
  expect_status "good store" 0 "$PHRUN" --virtual-clock "$work/store"
  expect_status "breakpoints: not CLASS.METHOD" 2 "$PHRUN" --breakpoints nodot --virtual-clock "$work/store"
  expect_status "breakpoints: no such method" 2 "$PHRUN" --breakpoints .demo.graph.nothing --virtual-clock "$work/store"
  i=0
  while [ $i -lt 40 ]; do
    cp "$work/store" "$work/bad"
    block=$((i % 12))
    offset=$((block * 4096 + (i * 977) % 4096))
    head -c 8 /dev/urandom | dd of="$work/bad" bs=1 seek=$offset conv=notrunc 2>/dev/null
    "$PHRUN" --virtual-clock --max-steps 100000 "$work/bad" >/dev/null 2>"$work/err"
    status=$?
    if [ $status -le 1 ]; then
      passed=$((passed + 1))
    else
      echo "FAIL phrun damaged store (block $block): exit $status: $(head -c 300 "$work/err")" >&2
      failed=$((failed + 1))
    fi
    i=$((i + 1))
  done
  # Cut short after the last block the store uses: the kernel refuses a disk smaller than its store,
  # and so must phrun and the reference interpreter (which once read the missing blocks as zeros).
  used=$(($(wc -c <"$work/store") / 4096))
  while [ "$used" -gt 0 ] && [ -z "$(dd if="$work/store" bs=4096 skip=$((used - 1)) count=1 2>/dev/null | tr -d '\000' | head -c 1)" ]; do
    used=$((used - 1))
  done
  head -c $((used * 4096)) "$work/store" >"$work/short"
  expect_status "store cut short" 1 "$PHRUN" --virtual-clock "$work/short"
  expect_status "store cut short, reference" 1 node ../lang/dist/node/run-image.js "$work/short"
else
  echo "FAIL phrun: cannot build a store with phc image (build lang first): $(cat "$work/phc" 2>/dev/null)" >&2
  failed=$((failed + 1))
fi

# A program that prints, then runs forever: killed, phrun has still written what it printed.
cat >"$work/busy.ph" <<'PROGRAM'
package .check;
import .internal.io.tty;
class busy {
  void run() {
    tty.println("printed before the loop");
    var i = 0;
    while (true) i++;
  }
};
PROGRAM
if node ../lang/bin/phc.mjs image "$work/busy.ph" --main .check.busy --space-bytes 1048576 -o "$work/busy" >"$work/phc" 2>&1; then
  "$PHRUN" --virtual-clock "$work/busy" >"$work/busy.out" 2>&1 &
  pid=$!
  waited=0
  until grep -q "printed before the loop" "$work/busy.out" || [ $waited -ge 100 ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  if grep -q "printed before the loop" "$work/busy.out"; then
    passed=$((passed + 1))
  else
    echo "FAIL phrun killed: its output is lost: $(head -c 300 "$work/busy.out")" >&2
    failed=$((failed + 1))
  fi
else
  echo "FAIL phrun: cannot build the busy program: $(cat "$work/phc")" >&2
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
