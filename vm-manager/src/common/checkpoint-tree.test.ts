import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Checkpoint } from './api.js';
import {
  checkpointBefore,
  checkpointTag,
  checkpointTree,
  formatBytes,
  formatCheckpointTree,
  freeTag,
  renamedCheckpoints,
  withoutCheckpoint,
} from './checkpoint-tree.js';

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

const at = (name: string, parent: string | null, generation: number | null): Checkpoint => ({
  ...checkpoint(name, parent),
  generation,
});

test('a rename keeps the hypervisor tag and moves children and "current" to the new name', () => {
  const renamed = renamedCheckpoints([checkpoint('a', null), checkpoint('b', 'a')], 'a', 'a', 'first');
  assert.equal(renamed.current, 'first');
  assert.deepEqual(
    renamed.checkpoints.map((c) => [c.name, checkpointTag(c), c.parent]),
    [
      ['first', 'a', null],
      ['b', 'b', 'first'],
    ],
  );
  // Renamed twice, the tag is still the first name.
  const again = renamedCheckpoints(renamed.checkpoints, renamed.current, 'first', 'second');
  assert.equal(checkpointTag(again.checkpoints[0]!), 'a');
});

test('a new checkpoint never takes a tag a renamed one still holds', () => {
  const renamed = renamedCheckpoints([checkpoint('a', null)], null, 'a', 'first').checkpoints;
  assert.equal(freeTag(renamed, 'a'), 'a~2');
  assert.equal(freeTag([...renamed, { ...checkpoint('x', null), tag: 'a~2' }], 'a'), 'a~3');
  assert.equal(freeTag(renamed, 'b'), 'b');
});

test('deleting moves the children and "current" up to the parent', () => {
  const left = withoutCheckpoint(
    [checkpoint('a', null), checkpoint('b', 'a'), checkpoint('c', 'b')],
    'b',
    'b',
  );
  assert.equal(left.current, 'a');
  assert.deepEqual(
    left.checkpoints.map((c) => [c.name, c.parent]),
    [
      ['a', null],
      ['c', 'a'],
    ],
  );
});

test('after a rollback "you are here" moves to the newest checkpoint taken at or before that generation', () => {
  // a (gen 10) → b (gen 20) → auto (gen 30, the present kept before the rollback).
  const line = [at('a', null, 10), at('b', 'a', 20), at('auto', 'b', 30), at('side', 'a', 15)];
  assert.equal(checkpointBefore(line, 'auto', 25), 'b');
  assert.equal(checkpointBefore(line, 'auto', 20), 'b');
  assert.equal(checkpointBefore(line, 'auto', 12), 'a', "not 'side': the machine never came from it");
  assert.equal(checkpointBefore(line, 'auto', 5), null);
  assert.equal(checkpointBefore(line, 'auto', 30), 'auto');
  // An unknown generation is passed over; a loop in damaged records ends.
  assert.equal(checkpointBefore([at('u', null, null)], 'u', 99), null);
  assert.equal(checkpointBefore([at('x', 'y', 50), at('y', 'x', 60)], 'x', 10), null);
});

test('a listing shows sizes, disk-only checkpoints, and where the machine is now', () => {
  const tree = checkpointTree(
    [at('a', null, 10), { ...at('off', 'a', 12), machineState: 'stopped' }, at('b', 'a', 20)],
    'a',
  );
  const lines = formatCheckpointTree(tree, {
    sizes: new Map<string, number | null>([
      ['a', 3.5 * 1024 * 1024],
      ['b', null],
    ]),
    here: 'generation 42',
  });
  assert.match(lines[0]!, /^\* a {2}\(.*, gen 10, 3\.5 MiB\)$/);
  assert.match(lines[1]!, /^ {4}off {2}\(.*, gen 12, disk only\)$/);
  assert.match(lines[2]!, /^ {4}b {2}\(.*, gen 20, lost by the hypervisor\)$/);
  assert.equal(lines[3], '>   you are here: generation 42');
  // With no current checkpoint the machine is at the top.
  assert.deepEqual(formatCheckpointTree(checkpointTree([], null), { here: 'generation 1' }), [
    '> you are here: generation 1',
  ]);
  assert.equal(formatBytes(1536), '2 KiB');
});
