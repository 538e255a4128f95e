import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Generation, Timeline } from './api.js';
import {
  layoutTimeline,
  nearestGeneration,
  revertConsequences,
  rollbackConsequences,
  visibleRange,
} from './timeline-layout.js';

/** A generation whose id is its number; `parentNumber` differs from `parent` when it was never seen. */
function generation(id: number, parent: number | null, time: number, parentNumber = parent): Generation {
  return {
    id,
    number: id,
    parent,
    parentNumber,
    time,
    pauseMs: 1,
    dirtyPages: 10,
    objects: 100,
    bytes: 4096,
    onDisk: true,
    damage: null,
  };
}

/** 1..5 on the first branch; a rollback to 3 makes 6, 7 on a second branch. */
const branched: Timeline = {
  generations: [
    generation(1, null, 1000),
    generation(2, 1, 2000),
    generation(3, 2, 3000),
    generation(4, 3, 4000),
    generation(5, 4, 5000),
    generation(6, 3, 6000),
    generation(7, 6, 7000),
  ],
  checkpoints: [
    { name: 'before', description: '', time: 2500, generation: 2, parent: null, withMemory: true },
  ],
  current: 7,
};

test('a rollback starts a new lane forked from its parent', () => {
  const layout = layoutTimeline(branched);
  assert.deepEqual([...layout.lanes], [0, 0, 0, 0, 0, 1, 1]);
  assert.equal(layout.laneCount, 2);
  assert.deepEqual(layout.forks, [{ parentIndex: 2, childIndex: 5 }]);
  assert.equal(layout.currentIndex, 6);
  assert.equal(layout.start, 1000);
  assert.equal(layout.end, 7000);
});

test("each lane's time span and the stats are kept in arrays parallel to the times", () => {
  const layout = layoutTimeline({
    ...branched,
    generations: branched.generations.map((g) =>
      g.id === 4
        ? { ...g, pauseMs: null, dirtyPages: null }
        : { ...g, pauseMs: g.id / 2, dirtyPages: g.id * 10 },
    ),
  });
  assert.deepEqual([...layout.laneStart], [1000, 6000]);
  assert.deepEqual([...layout.laneEnd], [5000, 7000]);
  assert.deepEqual([...layout.pauseMs], [0.5, 1, 1.5, Number.NaN, 2.5, 3, 3.5]);
  assert.deepEqual([...layout.dirtyPages], [10, 20, 30, Number.NaN, 50, 60, 70]);
  const empty = layoutTimeline({ generations: [], checkpoints: [], current: null });
  assert.deepEqual([...empty.laneStart], [Number.NaN]);
});

test("generations whose parents retention dropped stay on their branch's lane", () => {
  // 1..9 committed, retention kept 1, 4, 8, 9; a rollback to 8 then made 10 and 11 (with 10's
  // parent kept and 11's parent dropped).
  const thinned = layoutTimeline({
    generations: [
      generation(1, null, 1000),
      generation(4, null, 4000, 3),
      generation(8, null, 8000, 7),
      generation(9, 8, 9000),
      generation(10, 8, 10000),
      generation(12, null, 12000, 11),
    ],
    checkpoints: [],
    current: 12,
  });
  assert.deepEqual([...thinned.lanes], [0, 0, 0, 0, 1, 1]);
  assert.equal(thinned.laneCount, 2);
  assert.deepEqual(thinned.forks, [{ parentIndex: 2, childIndex: 4 }]);
});

test('damaged generations on the disk are flagged for drawing, and a rollback to one says the kernel will not resume it', () => {
  const layout = layoutTimeline({
    ...branched,
    generations: branched.generations.map((g) =>
      g.id === 5
        ? { ...g, damage: 'its record fails its checksum' }
        : g.id === 2
          ? { ...g, damage: 'gone', onDisk: false }
          : g,
    ),
  });
  assert.deepEqual([...layout.damaged], [0, 0, 0, 0, 1, 0, 0]);
  const text = rollbackConsequences(layout, 4).join(' ');
  assert.match(
    text,
    /Generation 5 is damaged \(its record fails its checksum\): the kernel will not resume it, and boots the generation it falls back to instead/,
  );
  assert.doesNotMatch(rollbackConsequences(layout, 2).join(' '), /damaged/);
});

test('visible range and nearest generation by binary search', () => {
  const layout = layoutTimeline(branched);
  assert.deepEqual(visibleRange(layout.times, 2000, 4000), [1, 4]);
  assert.deepEqual(visibleRange(layout.times, 7500, 9000), [7, 7]);
  assert.equal(nearestGeneration(layout, 5900, -1, 500), 5);
  assert.equal(nearestGeneration(layout, 5900, 0, 1000), 4);
  assert.equal(nearestGeneration(layout, 5900, 0, 500), -1);
});

test('the rollback confirmation says what is kept', () => {
  const layout = layoutTimeline(branched);
  const text = rollbackConsequences(layout, 2).join(' ');
  assert.match(text, /goes back to generation 3, .*: in place while it runs/);
  assert.match(text, /present state is saved as a new checkpoint/);
  assert.match(text, /2 later generations of this branch stay on the timeline as an abandoned branch/);
  assert.match(text, /The machine checkpoint is kept/);
  const none = layoutTimeline({ ...branched, checkpoints: [] });
  assert.doesNotMatch(rollbackConsequences(none, 2).join(' '), /checkpoints? (is|are) kept/);
});

test('the revert confirmation names the checkpoint and what leaves the disk', () => {
  const layout = layoutTimeline(branched);
  const text = revertConsequences(layout, 0).join(' ');
  assert.match(text, /returns to checkpoint "before"/);
  assert.match(text, /at generation 2/);
  assert.match(text, /present state is saved as a new checkpoint/);
  assert.match(text, /The 5 generations committed since leave the store disk/);
});

test('after a checkpoint revert a reused number is a new generation on a new lane', () => {
  // 1..4, then a revert to a checkpoint taken at 2: the kernel numbers from 3 again. The host's
  // history gives the second 3 and 4 their own ids (5, 6) and parents by id.
  const reverted = layoutTimeline({
    generations: [
      generation(1, null, 1000),
      generation(2, 1, 2000),
      { ...generation(3, 2, 3000), onDisk: false },
      { ...generation(4, 3, 4000), onDisk: false },
      { ...generation(5, 2, 5000, 2), number: 3 },
      { ...generation(6, 5, 6000, 3), number: 4 },
    ],
    checkpoints: [
      { name: 'at-2', description: '', time: 2500, generation: 2, parent: null, withMemory: true },
    ],
    current: 6,
  });
  assert.deepEqual([...reverted.lanes], [0, 0, 0, 0, 1, 1]);
  assert.deepEqual(reverted.forks, [{ parentIndex: 1, childIndex: 4 }]);
  assert.equal(reverted.currentIndex, 5);
});

test('an empty timeline and a timeline of 10,000 generations lay out', () => {
  assert.equal(layoutTimeline({ generations: [], checkpoints: [], current: null }).laneCount, 1);
  const many: Generation[] = [];
  for (let i = 0; i < 10_000; i++)
    many.push(generation(i, i === 0 ? null : i === 5000 ? 2000 : i - 1, i * 1000));
  const layout = layoutTimeline({ generations: many, checkpoints: [], current: 9999 });
  assert.equal(layout.laneCount, 2);
  assert.equal(layout.lanes[9999], 1);
});
