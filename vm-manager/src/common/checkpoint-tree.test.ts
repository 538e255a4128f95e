import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Checkpoint } from './api.js';
import { checkpointTree, formatCheckpointTree } from './checkpoint-tree.js';

const checkpoint = (name: string, parent: string | null): Checkpoint => ({
  name,
  description: '',
  createdAt: '2026-01-01T00:00:00.000Z',
  parent,
  generation: null,
  consoleTail: '',
  machineState: 'running',
});

test('parents become edges and orphans become roots', () => {
  const tree = checkpointTree(
    [checkpoint('a', null), checkpoint('b', 'a'), checkpoint('c', 'a'), checkpoint('d', 'gone')],
    'c',
  );
  assert.deepEqual(
    tree.roots.map((r) => r.checkpoint.name),
    ['a', 'd'],
  );
  assert.deepEqual(
    tree.roots[0]!.children.map((r) => r.checkpoint.name),
    ['b', 'c'],
  );
  assert.equal(tree.current, 'c');
  const lines = formatCheckpointTree(tree);
  assert.equal(lines.length, 4);
  assert.match(lines[2]!, /^\* {3}c /);
});

test('a current checkpoint that no longer exists is not shown as current', () => {
  assert.equal(checkpointTree([checkpoint('a', null)], 'zzz').current, null);
});
