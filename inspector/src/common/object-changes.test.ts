import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeapSnapshot } from './heap.js';
import { int, ref, SpaceFixture } from './heap-fixture.test.js';
import { objectChange } from './object-changes.js';

/**
 * A counter and a list of names, as two generations of one machine lay them out: the objects are
 * made in the same order, so they keep their addresses while their values differ.
 */
function generation(count: number, names: string[], extra?: 'replace-list') {
  const f = new SpaceFixture();
  f.rootClass(['data']);
  f.defineClass('.demo.counter', ['count', 'label']);
  f.defineClass('.demo.other', ['a', 'b']);
  const label = f.string('ticks');
  const counter = f.object('.demo.counter', [int(count), ref(label)]);
  // The list comes before its strings, so it keeps its address however many it holds.
  const list = extra === 'replace-list' ? f.object('.demo.other', [0, 0]) : f.array(names.map(() => 0));
  for (const [i, name] of names.entries()) f.setSlot(list, i, ref(f.string(name)));
  const holder = f.object('.demo.counter', [int(0), ref(list)]);
  const root = f.object('.internal.root', [ref(holder)]);
  return { heap: new HeapSnapshot(f.finish(root)), counter, list, label };
}

test('the same object with a new value: only the changed field is marked', () => {
  const a = generation(41, ['x']);
  const b = generation(42, ['x']);
  assert.equal(a.counter, b.counter);
  assert.deepEqual(objectChange(a.heap, b.heap, b.counter, 100), { kind: 'same', changed: ['count'] });
  assert.deepEqual(objectChange(a.heap, a.heap, a.counter, 100), { kind: 'same', changed: [] });
  assert.deepEqual(objectChange(a.heap, b.heap, b.label, 100), { kind: 'same', changed: [] });
});

test('an array that grew: its length and the new element are marked, within the shown page', () => {
  const a = generation(1, ['x', 'y']);
  const b = generation(1, ['x', 'y', 'z']);
  const change = objectChange(a.heap, b.heap, b.list, 100);
  assert.equal(change.kind, 'same');
  // The strings after the grown array moved with it, so the old elements point elsewhere too.
  assert.ok(change.kind === 'same', change.kind);
  assert.ok(change.changed.includes('length') && change.changed.includes('[2]'), change.changed.join());
  const firstOnly = objectChange(a.heap, b.heap, b.list, 1);
  assert.ok(
    firstOnly.kind === 'same' && !firstOnly.changed.includes('[2]'),
    'beyond the page is not looked at',
  );
});

test('an address with no object, or another kind of object, says so', () => {
  const a = generation(1, ['x']);
  const b = generation(1, ['x'], 'replace-list');
  assert.deepEqual(objectChange(a.heap, b.heap, a.list, 100), {
    kind: 'replaced',
    before: '.internal.array',
    after: '.demo.other',
  });
  assert.deepEqual(objectChange(a.heap, b.heap, 0x7ffffff0, 100), { kind: 'gone' });
  assert.deepEqual(objectChange(a.heap, b.heap, a.counter + 4, 100), { kind: 'gone' }, 'inside an object');
});
