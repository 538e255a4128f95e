// Turns: in order, one at a time, and a failure ends only its own turn.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Turns } from './turns.js';

test('tasks take turns in the order they asked, and a failure ends only its own turn', async () => {
  const turns = new Turns();
  const log: string[] = [];
  let releaseFirst!: () => void;
  const first = turns.take(async () => {
    log.push('first in');
    await new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    log.push('first out');
    throw new Error('the first task failed');
  });
  const second = turns.take(async () => {
    log.push('second in');
    return 2;
  });
  // Another resource's turns are another queue: they do not wait for these.
  assert.equal(await new Turns().take(async () => 'other'), 'other');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['first in']);
  releaseFirst();
  await assert.rejects(first, /the first task failed/);
  assert.equal(await second, 2);
  assert.deepEqual(log, ['first in', 'first out', 'second in']);
  // With the queue empty, a turn starts at once.
  assert.equal(await turns.take(async () => 3), 3);
});
