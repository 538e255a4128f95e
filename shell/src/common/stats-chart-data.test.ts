import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHART_GAP_MS, statsChartData } from './stats-chart-data.js';

const layout = (times: number[], pause: number[], dirty: number[]) => ({
  times: Float64Array.from(times),
  pauseMs: Float64Array.from(pause),
  dirtyPages: Float64Array.from(dirty),
});

test('one row per generation, in seconds, with what was not recorded as null', () => {
  const data = statsChartData(layout([1000, 2000, 3000], [1.5, Number.NaN, 2], [10, 12, Number.NaN]));
  assert.deepEqual(data.seconds, [1, 2, 3]);
  assert.deepEqual(data.pauseMs, [1.5, null, 2]);
  assert.deepEqual(data.dirtyPages, [10, 12, null]);
});

test('a gap longer than the machine ever leaves between generations breaks both lines', () => {
  const later = 2000 + CHART_GAP_MS + 1;
  const data = statsChartData(layout([1000, 2000, later, later + 1000], [1, 1, 1, 1], [5, 5, 5, 5]));
  assert.equal(data.seconds.length, 5);
  assert.equal(data.pauseMs[2], null);
  assert.equal(data.dirtyPages[2], null);
  assert.ok(data.seconds[1]! < data.seconds[2]! && data.seconds[2]! < data.seconds[3]!, 'x stays sorted');
  assert.deepEqual(
    statsChartData(layout([1000, 2000 + CHART_GAP_MS - 1000], [1, 1], [1, 1])).seconds.length,
    2,
  );
});

test('no generations, no rows', () => {
  assert.deepEqual(statsChartData(layout([], [], [])), { seconds: [], pauseMs: [], dirtyPages: [] });
});
