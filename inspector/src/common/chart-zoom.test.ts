import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clampRange, isZoomed, MIN_ZOOM_FRACTION, panRange, zoomRange } from './chart-zoom.js';

const bounds = { min: 0, max: 100 };

test('zooming in keeps the anchor where it was on screen', () => {
  const zoomed = zoomRange(bounds, 0.5, 25, bounds);
  assert.deepEqual(zoomed, { min: 12.5, max: 62.5 });
  // 25 was a quarter of the way across, and still is.
  assert.equal((25 - zoomed.min) / (zoomed.max - zoomed.min), 0.25);
});

test('zooming out never leaves the data, and stops at the whole', () => {
  assert.deepEqual(zoomRange({ min: 80, max: 100 }, 4, 95, bounds), { min: 20, max: 100 });
  assert.deepEqual(zoomRange({ min: 10, max: 60 }, 10, 30, bounds), bounds);
});

test('zooming in stops at a smallest span', () => {
  let range = bounds;
  for (let i = 0; i < 100; i++) range = zoomRange(range, 0.5, 50, bounds);
  assert.ok(Math.abs(range.max - range.min - 100 * MIN_ZOOM_FRACTION) < 1e-9);
});

test('panning moves by a fraction of the view and stops at the ends', () => {
  assert.deepEqual(panRange({ min: 20, max: 40 }, 0.5, bounds), { min: 30, max: 50 });
  assert.deepEqual(panRange({ min: 20, max: 40 }, -2, bounds), { min: 0, max: 20 });
  assert.deepEqual(clampRange({ min: 90, max: 120 }, bounds), { min: 70, max: 100 });
});

test('zoomed is any view narrower than the data; empty data is never zoomed', () => {
  assert.equal(isZoomed({ min: 0, max: 50 }, bounds), true);
  assert.equal(isZoomed(bounds, bounds), false);
  assert.equal(isZoomed({ min: 5, max: 5 }, { min: 5, max: 5 }), false);
  assert.deepEqual(zoomRange({ min: 5, max: 5 }, 0.5, 5, { min: 5, max: 5 }), { min: 5, max: 5 });
});
