import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Generation } from './api.js';
import { layoutTimeline } from './timeline-layout.js';
import { moveSelection } from './timeline-navigation.js';

function generation(id: number, parent: number | null, time: number): Generation {
  return {
    id,
    number: id,
    parent,
    parentNumber: parent,
    time,
    pauseMs: null,
    dirtyPages: null,
    objects: null,
    bytes: null,
    onDisk: true,
    damage: null,
  };
}

/** Lane 0: 1..5; lane 1 (a rollback to 3): 6, 7, interleaved in time with nothing else. */
const layout = layoutTimeline({
  generations: [1, 2, 3, 4, 5]
    .map((n) => generation(n, n === 1 ? null : n - 1, n * 1000))
    .concat([generation(6, 3, 6000), generation(7, 6, 7000)]),
  checkpoints: [],
  current: 7,
});

test('left and right walk one branch; home and end reach its ends', () => {
  assert.equal(moveSelection(layout, 2, 'next'), 3);
  assert.equal(moveSelection(layout, 4, 'next'), 4, 'the last of its branch stays');
  assert.equal(moveSelection(layout, 5, 'previous'), 5, 'a branch does not run into the one it left');
  assert.equal(moveSelection(layout, 6, 'previous'), 5);
  assert.equal(moveSelection(layout, 1, 'last'), 4);
  assert.equal(moveSelection(layout, 6, 'first'), 5);
});

test('up and down go to the nearest in time on the branch drawn above or below', () => {
  assert.equal(moveSelection(layout, 6, 'up'), 4, 'generation 7 at 7 s: the nearest of lane 0 is 5');
  assert.equal(moveSelection(layout, 0, 'down'), 5);
  assert.equal(moveSelection(layout, 0, 'up'), 0, 'nothing above the first lane');
});

test('with nothing selected the keys start at "you are here"', () => {
  assert.equal(moveSelection(layout, -1, 'next'), 6);
  assert.equal(moveSelection(layout, -1, 'first'), 5);
  assert.equal(moveSelection(layout, 1, 'here'), 6);
  assert.equal(
    moveSelection(layoutTimeline({ generations: [], checkpoints: [], current: null }), -1, 'next'),
    -1,
  );
});
