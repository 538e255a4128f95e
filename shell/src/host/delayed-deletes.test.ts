// Deletions that wait for their undo: taken back, carried out when their name is wanted again,
// carried out once their time is up, and left in place by a host that ends first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DelayedDeletes } from './delayed-deletes.js';

function recorder(delayMs: number) {
  const done: string[] = [];
  let carried: () => void = () => undefined;
  const deletes = new DelayedDeletes(delayMs, async (machine, checkpoint) => {
    done.push(`${machine}/${checkpoint}`);
    carried();
  });
  const next = () => new Promise<void>((resolve) => (carried = resolve));
  return { deletes, done, next };
}

test('a deletion taken back is never carried out', async () => {
  const { deletes, done } = recorder(20);
  deletes.schedule('demo', 'a');
  assert.equal(deletes.has('demo', 'a'), true);
  assert.equal(deletes.cancel('demo', 'a'), true);
  assert.equal(deletes.has('demo', 'a'), false);
  assert.equal(deletes.cancel('demo', 'a'), false, 'nothing waits any more');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(done, []);
});

test('a deletion is carried out once its time is up, once', async () => {
  const { deletes, done, next } = recorder(10);
  const carried = next();
  deletes.schedule('demo', 'a');
  assert.equal(deletes.has('demo', 'b'), false);
  assert.equal(deletes.has('other', 'a'), false);
  await carried;
  // Left out of the timeline until the deletion has finished, then gone from the list.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(done, ['demo/a']);
  assert.equal(deletes.has('demo', 'a'), false);
  assert.equal(deletes.cancel('demo', 'a'), false, 'too late to take back');
});

test('a name wanted again is deleted at once, and its timer does nothing after', async () => {
  const { deletes, done } = recorder(30);
  deletes.schedule('demo', 'a');
  await deletes.now('demo', 'a');
  assert.deepEqual(done, ['demo/a']);
  await deletes.now('demo', 'a');
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.deepEqual(done, ['demo/a']);
});

test('a host that ends first leaves the checkpoints in place', async () => {
  const { deletes, done } = recorder(20);
  deletes.schedule('demo', 'a');
  deletes.dispose();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(done, []);
});
