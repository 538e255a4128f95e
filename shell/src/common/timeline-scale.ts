/**
 * The timeline's horizontal scale, with no DOM: wall time with its idle gaps folded. While a
 * machine runs, the kernel commits a generation about every snapshot interval; a gap many
 * intervals long is time the machine was off (or not yet started after its image was built), and
 * drawn at its length it pushes everything that happened aside. Such a gap is folded to a short,
 * fixed width on the *axis*: a time-like coordinate (milliseconds, equal to wall time before the
 * first fold) that the view pans and zooms over. Also here: zooming around a point of interest.
 */

/** A gap folded on the axis: wall times `start`..`end` take `width` axis units from `axis`. */
export interface Fold {
  start: number;
  end: number;
  axis: number;
}

export interface TimeScale {
  folds: readonly Fold[];
  /** The axis width each fold takes. */
  foldWidth: number;
  toAxis(time: number): number;
  toTime(axis: number): number;
}

/** No gap shorter than this is idle, however often the kernel commits. */
export const MIN_IDLE_GAP_MS = 30_000;
/** A gap is idle when it is longer than this many of the usual intervals between generations. */
export const IDLE_GAP_INTERVALS = 20;
/** A fold takes this share of the time that is drawn (at least two usual intervals). */
const FOLD_SHARE = 0.03;

/** The scale that changes nothing (no history yet, or no gap worth folding). */
export const UNFOLDED: TimeScale = { folds: [], foldWidth: 0, toAxis: (t) => t, toTime: (a) => a };

/**
 * Folds the idle gaps between `times` (the generations' and checkpoints' times, in any order).
 * A gap is idle when longer than MIN_IDLE_GAP_MS and IDLE_GAP_INTERVALS usual intervals (the
 * median one), so a kernel committing every second has gaps of 30 s folded, and a history that
 * retention thinned to one a minute keeps its minutes.
 */
export function foldIdleGaps(times: ArrayLike<number>): TimeScale {
  const sorted = Float64Array.from(times).sort();
  const intervals: number[] = [];
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]! > sorted[i - 1]!) intervals.push(sorted[i]! - sorted[i - 1]!);
  if (intervals.length === 0) return UNFOLDED;
  intervals.sort((a, b) => a - b);
  const usual = intervals[intervals.length >> 1]!;
  const threshold = Math.max(MIN_IDLE_GAP_MS, IDLE_GAP_INTERVALS * usual);
  const gaps: [number, number][] = [];
  let active = 0;
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    if (gap > threshold) gaps.push([sorted[i - 1]!, sorted[i]!]);
    else active += gap;
  }
  if (gaps.length === 0) return UNFOLDED;
  const foldWidth = Math.min(threshold, Math.max(2 * usual, active * FOLD_SHARE));
  const folds: Fold[] = [];
  let shift = 0;
  for (const [start, end] of gaps) {
    folds.push({ start, end, axis: start - shift });
    shift += end - start - foldWidth;
  }
  const toAxis = (time: number): number => {
    const fold = folds[lastAtOrBefore(folds, time, (f) => f.start)];
    if (!fold) return time;
    if (time <= fold.end) return fold.axis + ((time - fold.start) / (fold.end - fold.start)) * foldWidth;
    return fold.axis + foldWidth + (time - fold.end);
  };
  const toTime = (axis: number): number => {
    const fold = folds[lastAtOrBefore(folds, axis, (f) => f.axis)];
    if (!fold) return axis;
    if (axis <= fold.axis + foldWidth)
      return fold.start + ((axis - fold.axis) / foldWidth) * (fold.end - fold.start);
    return fold.end + (axis - fold.axis - foldWidth);
  };
  return { folds, foldWidth, toAxis, toTime };
}

/** The index of the last fold whose `key` is at or before `value`, or -1. */
function lastAtOrBefore(folds: readonly Fold[], value: number, key: (fold: Fold) => number): number {
  let low = 0;
  let high = folds.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (key(folds[mid]!) <= value) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

/**
 * The view `[start, end]` zoomed by `factor` (< 1 zooms in) around `anchor`: the anchor stays
 * where it is on screen, or, when it is out of sight, the new view is centred on it — so zooming
 * with a selection or "you are here" always zooms toward it, never into empty space.
 */
export function zoomAround(
  start: number,
  end: number,
  factor: number,
  anchor: number,
  minSpan: number,
): [number, number] {
  const span = end - start;
  const next = Math.max(minSpan, span * factor);
  if (anchor < start || anchor > end) return [anchor - next / 2, anchor + next / 2];
  const left = ((anchor - start) / span) * next;
  return [anchor - left, anchor - left + next];
}

/** A gap's length as a fold's label says it ("12 min", "3 h", "2 d"). */
export function formatGap(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 1) return `${Math.round(ms / 1000)} s`;
  if (minutes < 90) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 36) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} d`;
}
