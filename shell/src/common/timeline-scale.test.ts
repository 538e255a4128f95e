import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldIdleGaps, formatGap, MIN_IDLE_GAP_MS, UNFOLDED, zoomAround } from './timeline-scale.js';

/** `count` commits a second apart from `from`. */
function run(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i * 1000);
}

test('a history without idle gaps is drawn as wall time', () => {
  assert.equal(foldIdleGaps(run(0, 100)), UNFOLDED);
  assert.equal(foldIdleGaps([]), UNFOLDED);
  assert.equal(foldIdleGaps([5]), UNFOLDED);
});

test('an idle gap folds to a short width, and axis and time map both ways', () => {
  // The image built at 0, started 10 minutes later, 200 s of commits, off 1 hour, 100 s more.
  const times = [0, ...run(600_000, 200), ...run(600_000 + 199_000 + 3_600_000, 100)];
  const scale = foldIdleGaps(times);
  assert.equal(scale.folds.length, 2);
  assert.deepEqual(
    scale.folds.map((f) => [f.start, f.end]),
    [
      [0, 600_000],
      [799_000, 4_399_000],
    ],
  );
  // 298 s were active: each fold takes 3% of that.
  assert.ok(Math.abs(scale.foldWidth - 0.03 * 298_000) < 1e-6);
  assert.equal(scale.toAxis(-5000), -5000, 'identity before the first fold');
  assert.equal(scale.toAxis(600_000), scale.foldWidth);
  assert.equal(scale.toAxis(700_000), scale.foldWidth + 100_000);
  const end = 4_399_000 + 99_000;
  assert.ok(Math.abs(scale.toAxis(end) - (2 * scale.foldWidth + 199_000 + 99_000)) < 1e-6);
  for (const t of [-1, 0, 300_000, 600_000, 650_500, 799_000, 2_000_000, 4_399_000, end, end + 5000])
    assert.ok(Math.abs(scale.toTime(scale.toAxis(t)) - t) < 1e-6, `round trip of ${t}`);
  // Monotonic: the order of points never changes.
  let last = Number.NEGATIVE_INFINITY;
  for (let t = -10_000; t < end + 10_000; t += 7_919) {
    assert.ok(scale.toAxis(t) > last);
    last = scale.toAxis(t);
  }
});

test('what counts as idle follows how often the kernel commits', () => {
  // Retention thinned a history to one generation a minute: those minutes are no idle gaps.
  const thinned = Array.from({ length: 60 }, (_, i) => i * 60_000);
  assert.equal(foldIdleGaps(thinned), UNFOLDED);
  // A gap just over the minimum is folded with commits every second, just under it is not.
  assert.equal(foldIdleGaps([...run(0, 50), 49_000 + MIN_IDLE_GAP_MS + 1]).folds.length, 1);
  assert.equal(foldIdleGaps([...run(0, 50), 49_000 + MIN_IDLE_GAP_MS - 1]).folds.length, 0);
});

test('zooming keeps the anchor where it is, and brings an anchor out of sight to the middle', () => {
  assert.deepEqual(zoomAround(0, 100, 0.5, 80, 1), [40, 90]);
  assert.deepEqual(zoomAround(0, 100, 2, 0, 1), [0, 200]);
  assert.deepEqual(zoomAround(0, 100, 0.5, 500, 1), [475, 525]);
  assert.deepEqual(zoomAround(0, 100, 0.001, 50, 10), [45, 55]);
});

test('a fold says how long the gap was', () => {
  assert.equal(formatGap(45_000), '45 s');
  assert.equal(formatGap(12 * 60_000), '12 min');
  assert.equal(formatGap(5 * 3_600_000), '5 h');
  assert.equal(formatGap(3 * 86_400_000), '3 d');
});
