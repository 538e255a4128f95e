/**
 * A page that mounts the snapshot manager alone, over a timeline its test drives, for the
 * end-to-end test of what a refresh may and may not change (e2e/src/snapshot-manager-view.test.ts).
 * Not part of the studio's bundle. The test adds generations and checkpoints and refreshes as the
 * timeline panel does on each generation it follows; the API calls the manager makes are recorded
 * and answered from that timeline. The handle is `window.snapshotHarness`.
 */
import type { Checkpoint, Timeline } from '../common/api.js';
import { layoutTimeline, type TimelineLayout } from '../common/timeline-layout.js';
import type { ApiClient } from './api-client.js';
import { SnapshotManager } from './snapshot-manager.js';

const MACHINE = 'demo';
/** The harness's clock: one generation a tick, as a machine committing every 10 ms would. */
const TICK_MS = 10;

const timeline: Timeline = { generations: [], checkpoints: [], current: null };
let layout: TimelineLayout = layoutTimeline(timeline);
const calls: { method: string; params: unknown }[] = [];
const selected: number[] = [];
/** Checkpoint sizes are answered when the test says so (they come late, from a qemu-img run). */
let sizesAnswered: (() => void) | undefined;
let sizesAsked = Promise.resolve();
/** Renames are done at once and answered when the test says so (on a busy host the answer comes late). */
let renamesAnswered: (() => void) | undefined;
let renamesHeld = Promise.resolve();
/** The layout indexes the manager asked to revert to (the host's confirmation dialog, not shown here). */
const reverts: number[] = [];

function commit(): void {
  const last = timeline.generations.at(-1);
  const id = timeline.generations.length;
  timeline.generations.push({
    id,
    number: id,
    parent: last ? last.id : null,
    parentNumber: last ? last.number : null,
    time: 1_800_000_000_000 + id * TICK_MS,
    pauseMs: null,
    dirtyPages: null,
    objects: null,
    bytes: null,
    onDisk: true,
    damage: null,
  });
  timeline.current = id;
}

function checkpoint(name: string, description = ''): Checkpoint {
  const last = timeline.generations.at(-1);
  const taken: Checkpoint = {
    name,
    description,
    time: (last?.time ?? 1_800_000_000_000) + TICK_MS / 2,
    generation: last ? last.number : null,
    parent: timeline.checkpoints.at(-1)?.name ?? null,
    withMemory: true,
  };
  timeline.checkpoints.push(taken);
  return taken;
}

function refresh(): void {
  layout = layoutTimeline(timeline);
  manager.refresh();
}

const api = {
  async call(method: string, params: { checkpoint?: string; name?: string; description?: string }) {
    calls.push({ method, params });
    const named = timeline.checkpoints.find((c) => c.name === params.checkpoint);
    switch (method) {
      case 'machine.checkpointSizes':
        await sizesAsked;
        return timeline.checkpoints.map((c) => ({ name: c.name, bytes: 4 << 20 }));
      case 'machine.checkpointRename':
        if (named && params.name) named.name = params.name;
        await renamesHeld;
        return {};
      case 'machine.checkpointDescribe':
        if (named && params.description !== undefined) named.description = params.description;
        return {};
      default:
        return {};
    }
  },
} as unknown as ApiClient;

const manager = new SnapshotManager({
  api,
  machine: () => MACHINE,
  layout: () => layout,
  refresh: async () => refresh(),
  confirmRevert: (index: number) => reverts.push(index),
  confirmRollback: () => undefined,
  select: (index) => selected.push(index),
});
document.getElementById('app')!.append(manager.element);

Object.assign(window, {
  snapshotHarness: {
    /** Commits `count` generations and refreshes once, as the panel does when it reads the timeline. */
    generations(count: number) {
      for (let i = 0; i < count; i++) commit();
      refresh();
    },
    /** Takes checkpoints at the newest generation (a generation follows each), then refreshes. */
    checkpoints(names: string[]) {
      for (const name of names) {
        checkpoint(name);
        commit();
      }
      refresh();
    },
    /** Holds the answer to the sizes the manager asks for until `answerSizes`. */
    holdSizes() {
      sizesAsked = new Promise((resolve) => {
        sizesAnswered = resolve;
      });
    },
    answerSizes() {
      sizesAnswered?.();
    },
    /** Holds the answers to renames (each done at once) until `answerRenames`. */
    holdRenames() {
      renamesHeld = new Promise((resolve) => {
        renamesAnswered = resolve;
      });
    },
    answerRenames() {
      renamesAnswered?.();
      renamesHeld = Promise.resolve();
    },
    open: () => manager.open(),
    /** The layout index of "you are here" now. */
    currentIndex: () => layout.currentIndex,
    calls,
    selected,
    reverts,
  },
});
