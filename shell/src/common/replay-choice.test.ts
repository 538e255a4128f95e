import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Generation } from './api.js';
import { replayChoice } from './replay-choice.js';
import { layoutTimeline } from './timeline-layout.js';

function generation(
  id: number,
  parent: number | null,
  time: number,
  extra: Partial<Generation> = {},
): Generation {
  return {
    id,
    number: id,
    parent,
    parentNumber: parent,
    time,
    pauseMs: 1,
    dirtyPages: 10,
    objects: null,
    bytes: null,
    onDisk: true,
    damage: null,
    ...extra,
  };
}

test('a kept generation is replayed by its number', () => {
  const layout = layoutTimeline({
    generations: [generation(0, null, 1000), generation(1, 0, 2000), generation(2, 1, 3000)],
    checkpoints: [],
    current: 2,
  });
  assert.deepEqual(replayChoice(layout, 1), { generation: 1, label: 'generation 1' });
  assert.deepEqual(replayChoice(layout, 0), { generation: 0, label: 'generation 0' });
});

test('nothing selected, a record only, a damaged generation: each says why it cannot be replayed', () => {
  const layout = layoutTimeline({
    generations: [
      generation(0, null, 1000, { onDisk: false }),
      generation(1, 0, 2000, { damage: 'page 7 fails its checksum' }),
      generation(2, 1, 3000),
    ],
    checkpoints: [],
    current: 2,
  });
  const problem = (index: number) => {
    const choice = replayChoice(layout, index);
    assert.ok('problem' in choice, `index ${index} is refused`);
    return choice.problem;
  };
  assert.match(problem(-1), /select a generation/);
  assert.match(problem(7), /select a generation/);
  assert.match(problem(0), /generation 0 is no longer on the store disk/);
  assert.match(problem(1), /generation 1 is damaged on the store disk \(page 7 fails its checksum\)/);
});

test('a generation whose number a later branch reuses on the disk is refused, naming the one it reads', () => {
  // 0, 1, 2 on the first branch; a rollback to 1 numbers the next one 2 again, on a second branch.
  const layout = layoutTimeline({
    generations: [
      generation(0, null, 1000),
      generation(1, 0, 2000),
      generation(2, 1, 3000),
      generation(3, 1, 4000, { number: 2, parentNumber: 1 }),
    ],
    checkpoints: [],
    current: 3,
  });
  const old = replayChoice(layout, 2);
  assert.ok('problem' in old);
  assert.match(old.problem, /generation 2 · branch 1's number now names generation 2 · branch 2/);
  assert.deepEqual(replayChoice(layout, 3), { generation: 2, label: 'generation 2 · branch 2' });
});
