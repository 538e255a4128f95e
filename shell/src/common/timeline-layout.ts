/**
 * The timeline's model, with no DOM: kernel generations put on lanes (one lane per branch; a
 * rollback to N starts a new lane whose first generation has parent N), in arrays that the
 * canvas can walk quickly, with binary searches for the visible range and for the generation
 * nearest the pointer. Kept apart from drawing so it can be tested and benchmarked alone.
 */
import type { Checkpoint, Generation, Timeline } from './api.js';

export interface TimelineLayout {
  /** Generations sorted by time. */
  generations: Generation[];
  /** Commit times, sorted, parallel to `generations`. */
  times: Float64Array;
  /** The lane of each generation; lane 0 is the branch the first generation is on. */
  lanes: Int32Array;
  laneCount: number;
  /** Per lane, the time of its first and of its last generation (NaN for a lane with none). */
  laneStart: Float64Array;
  laneEnd: Float64Array;
  /** Snapshot pause (ms) and dirty pages of each generation, parallel to `times`; NaN where not recorded. */
  pauseMs: Float64Array;
  dirtyPages: Float64Array;
  /** 1 where the generation is on the disk and damaged (the kernel will not resume it), parallel to `times`. */
  damaged: Uint8Array;
  /** Where each lane after the first leaves its parent: the parent's index and the first child's. */
  forks: { parentIndex: number; childIndex: number }[];
  /** Index of the current generation ("you are here"), or -1. */
  currentIndex: number;
  /** Index of each generation by its id. */
  indexById: Map<number, number>;
  checkpoints: Checkpoint[];
  /** The time span covered (both ends equal when there is at most one point). */
  start: number;
  end: number;
}

export function layoutTimeline(timeline: Timeline): TimelineLayout {
  const generations = [...timeline.generations].sort((a, b) => a.time - b.time || a.id - b.id);
  const count = generations.length;
  const times = new Float64Array(count);
  const lanes = new Int32Array(count);
  const indexById = new Map<number, number>();
  /** The newest generation on each lane so far: a child of it continues the lane. */
  const laneTips: number[] = [];
  const forks: TimelineLayout['forks'] = [];
  for (let i = 0; i < count; i++) {
    const generation = generations[i]!;
    times[i] = generation.time;
    indexById.set(generation.id, i);
    const parentIndex = generation.parent === null ? undefined : indexById.get(generation.parent);
    let lane = parentIndex === undefined ? -1 : laneTips.indexOf(generation.parent!);
    if (lane < 0 || (parentIndex !== undefined && lanes[parentIndex] !== lane)) lane = -1;
    // A parent never seen (the kernel's retention dropped it before the studio looked): the
    // machine runs one branch at a time, so the generation committed just before is on its branch.
    if (generation.parentNumber !== null && parentIndex === undefined && i > 0) {
      lane = lanes[i - 1]!;
      laneTips[lane] = generation.id;
      lanes[i] = lane;
      continue;
    }
    if (lane < 0) {
      lane = laneTips.length;
      laneTips.push(generation.id);
      if (parentIndex !== undefined) forks.push({ parentIndex, childIndex: i });
    } else laneTips[lane] = generation.id;
    lanes[i] = lane;
  }
  const laneCount = Math.max(1, laneTips.length);
  const laneStart = new Float64Array(laneCount).fill(Number.NaN);
  const laneEnd = new Float64Array(laneCount).fill(Number.NaN);
  const pauseMs = new Float64Array(count);
  const dirtyPages = new Float64Array(count);
  const damaged = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const lane = lanes[i]!;
    const generation = generations[i]!;
    if (Number.isNaN(laneStart[lane]!)) laneStart[lane] = times[i]!;
    laneEnd[lane] = times[i]!;
    pauseMs[i] = generation.pauseMs ?? Number.NaN;
    dirtyPages[i] = generation.dirtyPages ?? Number.NaN;
    damaged[i] = generation.onDisk && generation.damage !== null ? 1 : 0;
  }
  const checkpoints = [...timeline.checkpoints].sort((a, b) => a.time - b.time);
  const allTimes = [...(count > 0 ? [times[0]!, times[count - 1]!] : []), ...checkpoints.map((c) => c.time)];
  return {
    generations,
    times,
    lanes,
    laneCount,
    laneStart,
    laneEnd,
    pauseMs,
    dirtyPages,
    damaged,
    forks,
    currentIndex: timeline.current === null ? -1 : (indexById.get(timeline.current) ?? -1),
    indexById,
    checkpoints,
    start: allTimes.length > 0 ? Math.min(...allTimes) : 0,
    end: allTimes.length > 0 ? Math.max(...allTimes) : 0,
  };
}

/** The first index whose time is at or after `time` (binary search over sorted times). */
export function firstAtOrAfter(times: Float64Array, time: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (times[mid]! < time) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The generations with `from <= time <= to`, as a half-open index range. */
export function visibleRange(times: Float64Array, from: number, to: number): [number, number] {
  return [firstAtOrAfter(times, from), firstAtOrAfter(times, to + Number.EPSILON * Math.abs(to) + 1e-9)];
}

/**
 * The generation nearest `time` on `lane` (or on any lane when lane is -1), within
 * `tolerance`; -1 when there is none. Scans outward from the binary-search point, so it costs
 * little even with many lanes interleaved.
 */
export function nearestGeneration(
  layout: TimelineLayout,
  time: number,
  lane: number,
  tolerance: number,
): number {
  const { times, lanes } = layout;
  const at = firstAtOrAfter(times, time);
  let best = -1;
  let bestDistance = tolerance;
  for (let i = at; i < times.length && times[i]! - time <= bestDistance; i++) {
    if ((lane < 0 || lanes[i] === lane) && times[i]! - time <= bestDistance) {
      best = i;
      bestDistance = times[i]! - time;
      break;
    }
  }
  for (let i = at - 1; i >= 0 && time - times[i]! <= bestDistance; i--) {
    if (lane < 0 || lanes[i] === lane) {
      if (time - times[i]! <= bestDistance) {
        best = i;
        bestDistance = time - times[i]!;
      }
      break;
    }
  }
  return best;
}

/** What a rollback to the generation at `index` keeps, in words for the confirmation dialog. */
export function rollbackConsequences(layout: TimelineLayout, index: number): string[] {
  const target = layout.generations[index]!;
  const lane = layout.lanes[index]!;
  let laterOnBranch = 0;
  for (let i = index + 1; i < layout.times.length; i++) if (layout.lanes[i] === lane) laterOnBranch++;
  return [
    `The machine goes back to generation ${target.number}, as it was at ${new Date(target.time).toLocaleString()}: in place while it runs (its kernel mounts the generation, QEMU keeps running), else it restarts from it.`,
    'First the present state is saved as a new checkpoint, so you can come back to it.',
    ...(layout.damaged[index]
      ? [
          `Generation ${target.number} is damaged (${target.damage}): the kernel will not resume it, and boots the generation it falls back to instead, its parent when that is intact.`,
        ]
      : []),
    laterOnBranch > 0
      ? `The ${plural(laterOnBranch, 'later generation')} of this branch stay on the timeline as an abandoned branch; the store disk keeps them as its retention allows (all of the last minute, then one a minute), and the timeline keeps their record.`
      : 'No later generation exists on this branch; nothing is abandoned.',
    // With none, there is nothing to keep (it once said "All 0 machine checkpoints are kept").
    ...(layout.checkpoints.length === 0
      ? []
      : [
          `${layout.checkpoints.length === 1 ? 'The machine checkpoint is' : `All ${plural(layout.checkpoints.length, 'machine checkpoint')} are`} kept.`,
        ]),
    'What runs after the rollback becomes a new branch.',
  ];
}

/** What a revert to the checkpoint at `index` does and keeps, for the confirmation dialog. */
export function revertConsequences(layout: TimelineLayout, index: number): string[] {
  const target = layout.checkpoints[index]!;
  const later = layout.times.length - firstAtOrAfter(layout.times, target.time + 1);
  return [
    `The machine returns to checkpoint "${target.name}": its memory and store disk as they were at ${new Date(target.time).toLocaleString()}${target.generation === null ? '' : `, at generation ${target.generation}`}.`,
    'First the present state is saved as a new checkpoint, so you can come back to it.',
    later > 0
      ? `The ${plural(later, 'generation')} committed since leave the store disk with the revert; the timeline keeps their record as an abandoned branch.`
      : 'No generation was committed since the checkpoint.',
    'What runs after the revert becomes a new branch.',
  ];
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en')} ${noun}${count === 1 ? '' : 's'}`;
}
