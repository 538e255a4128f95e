// The collector view's idea of when the kernel collects is the kernel's: COLLECT_BUDGET_MIN in
// kernel-src/core/gc.c and KERNEL_COLLECT_BUDGET_MIN in common/collector.ts must say the same.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { KERNEL_COLLECT_BUDGET_MIN } from '../common/collector.js';

test("the collector view's budget is the kernel's COLLECT_BUDGET_MIN", () => {
  const gc = readFileSync(new URL('../../../kernel-src/core/gc.c', import.meta.url), 'utf8');
  const define = /#define COLLECT_BUDGET_MIN \((\d+)u << (\d+)\)/.exec(gc);
  assert.ok(define, 'gc.c defines COLLECT_BUDGET_MIN as (N << S)');
  assert.equal(KERNEL_COLLECT_BUDGET_MIN, Number(define[1]) * 2 ** Number(define[2]));
});
