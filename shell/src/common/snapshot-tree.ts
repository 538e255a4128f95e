/**
 * The snapshot manager's model, with no DOM: the timeline's branches (one per lane of
 * timeline-layout.ts) as a tree — a branch's children are, in time order, the checkpoints taken
 * on it, the branches that left it (a rollback or a revert), and "you are here" at its end when
 * the machine runs on it — and the names generations go by. After a checkpoint revert the kernel
 * numbers generations from the checkpoint's again, so a number alone can name two generations:
 * once there is more than one branch, a generation is named with its branch.
 */
import type { Checkpoint } from './api.js';
import { firstAtOrAfter, type TimelineLayout } from './timeline-layout.js';

/**
 * What the kernel's retention keeps (kernel-src/core/store.h, STORE_RETENTION_DEFAULTS), in
 * words: an explanation of why an older generation is no longer on the store disk.
 */
export const RETENTION_POLICY =
  'every generation of the last minute, then the newest of each minute for an hour, of each hour for a day and of each day for 30 days, besides the first and last generation of each branch (at most 255)';

export type SnapshotNode =
  | { kind: 'branch'; lane: number; label: string; detail: string; children: SnapshotNode[] }
  | { kind: 'checkpoint'; index: number; checkpoint: Checkpoint; label: string; detail: string }
  | { kind: 'here'; index: number; label: string; detail: string };

/** A checkpoint name the forms offer, unlikely to be taken: the time of day (UTC). */
export function suggestedCheckpointName(now = new Date()): string {
  return `cp-${now.toISOString().slice(11, 19).replaceAll(':', '')}`;
}

/** A branch's name: lanes are numbered from 1, in the order they began. */
export function branchName(lane: number): string {
  return `branch ${lane + 1}`;
}

/** How generation `index` of the layout reads wherever it is named: "generation 12 · branch 2". */
export function generationLabel(layout: TimelineLayout, index: number): string {
  const generation = layout.generations[index]!;
  const branch = layout.laneCount > 1 ? ` · ${branchName(layout.lanes[index]!)}` : '';
  return `generation ${generation.number}${branch}`;
}

/** The generation a checkpoint was taken at: the one committed last before it (-1: none). */
export function checkpointGeneration(layout: TimelineLayout, checkpoint: Checkpoint): number {
  return firstAtOrAfter(layout.times, checkpoint.time + 1e-6) - 1;
}

/** How a checkpoint's moment reads: its generation with its branch, when known. */
export function checkpointLabel(layout: TimelineLayout, checkpoint: Checkpoint): string {
  const at = checkpointGeneration(layout, checkpoint);
  if (at >= 0 && layout.generations[at]!.number === checkpoint.generation) return generationLabel(layout, at);
  return checkpoint.generation === null ? 'generation unknown' : `generation ${checkpoint.generation}`;
}

export function snapshotTree(layout: TimelineLayout): SnapshotNode[] {
  const { generations, lanes, times, forks } = layout;
  /** Per lane, its events: [time, order among equal times, node or the lane a fork leads to]. */
  const events = new Map<number, [number, number, SnapshotNode | number][]>();
  const add = (lane: number, time: number, order: number, what: SnapshotNode | number) => {
    const list = events.get(lane) ?? [];
    list.push([time, order, what]);
    events.set(lane, list);
  };
  const forked = new Set<number>();
  for (const { parentIndex, childIndex } of forks) {
    const child = lanes[childIndex]!;
    forked.add(child);
    add(lanes[parentIndex]!, times[parentIndex]!, 1, child);
  }
  layout.checkpoints.forEach((checkpoint, index) => {
    const at = checkpointGeneration(layout, checkpoint);
    // Placed with its generation, before a branch that left from there (a revert to it).
    add(at >= 0 ? lanes[at]! : 0, at >= 0 ? times[at]! : checkpoint.time, 0, {
      kind: 'checkpoint',
      index,
      checkpoint,
      label: checkpoint.name,
      detail: [checkpointLabel(layout, checkpoint), checkpoint.description].filter(Boolean).join(' — '),
    });
  });
  if (layout.currentIndex >= 0) {
    const here = layout.currentIndex;
    // The present comes after everything on its branch, whatever the clocks say.
    add(lanes[here]!, Number.POSITIVE_INFINITY, 2, {
      kind: 'here',
      index: here,
      label: 'You are here',
      detail: `${generationLabel(layout, here)}, where the machine runs on from`,
    });
  }
  const branch = (lane: number): SnapshotNode => {
    const children = (events.get(lane) ?? [])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map(([, , what]) => (typeof what === 'number' ? branch(what) : what));
    return {
      kind: 'branch',
      lane,
      label: capitalised(branchName(lane)),
      detail: branchDetail(layout, lane),
      children,
    };
  };
  const roots: SnapshotNode[] = [];
  for (let lane = 0; lane < layout.laneCount; lane++) if (!forked.has(lane)) roots.push(branch(lane));
  // With no generation yet, the checkpoints and "here" of lane 0 still need a branch to hang on.
  if (generations.length === 0 && !events.has(0)) return [];
  return roots;
}

function branchDetail(layout: TimelineLayout, lane: number): string {
  const indexes: number[] = [];
  for (let i = 0; i < layout.lanes.length; i++) if (layout.lanes[i] === lane) indexes.push(i);
  if (indexes.length === 0) return 'no generations yet';
  const first = layout.generations[indexes[0]!]!;
  const last = layout.generations[indexes.at(-1)!]!;
  const fork = layout.forks.find((f) => layout.lanes[f.childIndex] === lane);
  const from = fork ? `from ${generationLabel(layout, fork.parentIndex)}; ` : '';
  const count = `${indexes.length.toLocaleString('en')} generation${indexes.length === 1 ? '' : 's'}`;
  const span = first.number === last.number ? `${first.number}` : `${first.number}–${last.number}`;
  const current = layout.currentIndex >= 0 && layout.lanes[layout.currentIndex] === lane;
  return `${from}generations ${span} (${count})${current ? '' : ', abandoned'}`;
}

function capitalised(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}

/** The tree in the order it is shown, depth first, with each node's depth (for keyboard moves). */
export function flattenTree(
  nodes: readonly SnapshotNode[],
  depth = 0,
): { node: SnapshotNode; depth: number }[] {
  return nodes.flatMap((node) => [
    { node, depth },
    ...(node.kind === 'branch' ? flattenTree(node.children, depth + 1) : []),
  ]);
}
