/**
 * The x-axis zoom of the studio's charts (timeline stats, an object's history, the collector), as
 * plain arithmetic: zoom by a factor around an anchor, step through a range, and keep the range
 * inside the data. The charts are drawn by uPlot (browser/chart.ts); this decides the ranges.
 */

export interface Range {
  min: number;
  max: number;
}

/** The narrowest range a zoom may reach, as a fraction of the whole: beyond it nothing is gained. */
export const MIN_ZOOM_FRACTION = 1e-4;

/**
 * `range` zoomed by `factor` (below 1 zooms in) keeping `anchor` where it is on screen, then
 * clamped to `bounds`. A range that would cover the bounds is the bounds.
 */
export function zoomRange(range: Range, factor: number, anchor: number, bounds: Range): Range {
  const whole = bounds.max - bounds.min;
  if (!(whole > 0)) return { ...bounds };
  const span = Math.min(whole, Math.max(whole * MIN_ZOOM_FRACTION, (range.max - range.min) * factor));
  const at = range.max > range.min ? (anchor - range.min) / (range.max - range.min) : 0.5;
  const min = anchor - span * Math.min(1, Math.max(0, at));
  return clampRange({ min, max: min + span }, bounds);
}

/** `range` moved by `fraction` of its width (negative: to the left), kept inside `bounds`. */
export function panRange(range: Range, fraction: number, bounds: Range): Range {
  const shift = (range.max - range.min) * fraction;
  return clampRange({ min: range.min + shift, max: range.max + shift }, bounds);
}

/** `range` moved (not shrunk) to lie inside `bounds`, or the bounds when it is wider. */
export function clampRange(range: Range, bounds: Range): Range {
  const span = range.max - range.min;
  if (span >= bounds.max - bounds.min) return { ...bounds };
  if (range.min < bounds.min) return { min: bounds.min, max: bounds.min + span };
  if (range.max > bounds.max) return { min: bounds.max - span, max: bounds.max };
  return { ...range };
}

/** Whether `range` shows less than the whole of `bounds`. */
export function isZoomed(range: Range, bounds: Range): boolean {
  const whole = bounds.max - bounds.min;
  return whole > 0 && range.max - range.min < whole * (1 - 1e-9);
}
