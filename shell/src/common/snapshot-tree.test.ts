import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Checkpoint, Generation, Timeline } from './api.js';
import {
  checkpointLabel,
  flattenTree,
  generationLabel,
  type SnapshotNode,
  snapshotTree,
} from './snapshot-tree.js';
import { layoutTimeline } from './timeline-layout.js';

function generation(id: number, parent: number | null, time: number, number = id): Generation {
  return {
    id,
    number,
    parent,
    parentNumber: parent,
    time,
    pauseMs: 1,
    dirtyPages: 10,
    objects: null,
    bytes: null,
    onDisk: true,
    damage: null,
  };
}

function checkpoint(name: string, time: number, generation: number): Checkpoint {
  return { name, description: '', time, generation, parent: null, withMemory: true };
}

/** The tree as nested [label, children] pairs, to compare at a glance. */
function shape(nodes: readonly SnapshotNode[]): unknown[] {
  return nodes.map((n) => (n.kind === 'branch' ? [n.label, shape(n.children)] : n.label));
}

/** 1..5 on the first branch; a rollback to 3 makes 6, 7 on a second; a checkpoint at 2. */
const rolledBack: Timeline = {
  generations: [
    generation(1, null, 1000),
    generation(2, 1, 2000),
    generation(3, 2, 3000),
    generation(4, 3, 4000),
    generation(5, 4, 5000),
    generation(6, 3, 6000),
    generation(7, 6, 7000),
  ],
  checkpoints: [checkpoint('before', 2500, 2), checkpoint('late', 5500, 5)],
  current: 7,
};

test('branches nest where they left, with their checkpoints and "you are here" in time order', () => {
  const layout = layoutTimeline(rolledBack);
  const tree = snapshotTree(layout);
  assert.deepEqual(shape(tree), [['Branch 1', ['before', ['Branch 2', ['You are here']], 'late']]]);
  const [main] = tree as [Extract<SnapshotNode, { kind: 'branch' }>];
  assert.equal(main.detail, 'generations 1–5 (5 generations), abandoned');
  const second = main.children[1] as Extract<SnapshotNode, { kind: 'branch' }>;
  assert.equal(second.detail, 'from generation 3 · branch 1; generations 6–7 (2 generations)');
  assert.equal(
    (second.children[0] as Extract<SnapshotNode, { kind: 'here' }>).detail,
    'generation 7 · branch 2, where the machine runs on from',
  );
  assert.deepEqual(
    flattenTree(tree).map(({ node, depth }) => [node.label, depth]),
    [
      ['Branch 1', 0],
      ['before', 1],
      ['Branch 2', 1],
      ['You are here', 2],
      ['late', 1],
    ],
  );
});

test('after a revert two generations of one number never read alike', () => {
  // 1..4, then a revert to a checkpoint at 2: the kernel numbers 3 and 4 again, on a new branch.
  const layout = layoutTimeline({
    generations: [
      generation(1, null, 1000),
      generation(2, 1, 2000),
      { ...generation(3, 2, 3000), onDisk: false },
      { ...generation(4, 3, 4000), onDisk: false },
      generation(5, 2, 5000, 3),
      generation(6, 5, 6000, 4),
    ],
    checkpoints: [checkpoint('at-2', 2500, 2)],
    current: 6,
  });
  const labels = layout.generations.map((_, i) => generationLabel(layout, i));
  assert.deepEqual(labels, [
    'generation 1 · branch 1',
    'generation 2 · branch 1',
    'generation 3 · branch 1',
    'generation 4 · branch 1',
    'generation 3 · branch 2',
    'generation 4 · branch 2',
  ]);
  assert.equal(new Set(labels).size, labels.length);
  assert.equal(checkpointLabel(layout, layout.checkpoints[0]!), 'generation 2 · branch 1');
  assert.deepEqual(shape(snapshotTree(layout)), [['Branch 1', ['at-2', ['Branch 2', ['You are here']]]]]);
});

test('one branch reads by number alone; no history is an empty tree, checkpoints alone hang on one', () => {
  const single = layoutTimeline({ generations: [generation(1, null, 1)], checkpoints: [], current: 1 });
  assert.equal(generationLabel(single, 0), 'generation 1');
  assert.deepEqual(snapshotTree(layoutTimeline({ generations: [], checkpoints: [], current: null })), []);
  const onlyCheckpoints = layoutTimeline({
    generations: [],
    checkpoints: [checkpoint('c', 5, 0)],
    current: null,
  });
  assert.deepEqual(shape(snapshotTree(onlyCheckpoints)), [['Branch 1', ['c']]]);
  assert.equal(checkpointLabel(onlyCheckpoints, onlyCheckpoints.checkpoints[0]!), 'generation 0');
});
