import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffHeaps, objectHistory } from './diff.js';
import { reachableFrom } from './graph.js';
import { HeapSnapshot } from './heap.js';
import { int, ref, SpaceFixture } from './heap-fixture.test.js';
import { parseRef } from './ref.js';

/**
 * One list of notes in a directory-like holder, as two generations lay it out: `notes` texts in
 * the list, and a garbage string beside it (what a program's temporaries leave until the next
 * collection). Objects are made in the same order, so the first ones have the same addresses.
 */
function generation(notes: string[], garbage: string) {
  const f = new SpaceFixture();
  f.rootClass(['data']);
  f.defineClass('.demo.list', ['count', 'first', 'second']);
  const list = f.object('.demo.list', [int(notes.length), 0, 0]);
  const holder = f.object('.demo.list', [int(0), ref(list), 0]);
  notes.forEach((text, i) => {
    f.setSlot(list, 1 + i, ref(f.string(text)));
  });
  f.string(garbage);
  const root = f.object('.internal.root', [ref(holder)]);
  return { heap: new HeapSnapshot(f.finish(root)), holder, list };
}

test('a diff of everything counts garbage; a diff of what an object reaches leaves it out', () => {
  const a = generation(['one'], 'temporary 1');
  const b = generation(['one', 'two'], 'temporary 2');
  const everything = diffHeaps(a.heap, b.heap);
  assert.ok(everything.added + everything.removed + everything.changed > 3, 'garbage and moved objects show');
  const data = diffHeaps(a.heap, b.heap, { reachableFrom: b.holder });
  const rows = data.byClass.map((r) => [r.className, r.added.length, r.removed.length, r.changed.length]);
  assert.deepEqual(rows.sort(), [
    ['.demo.list', 0, 0, 1],
    ['.internal.string', 1, 0, 0],
  ]);
  const [added] = data.byClass.find((r) => r.className === '.internal.string')!.added;
  const node = b.heap.indexOf(parseRef(added!)!);
  assert.equal(b.heap.stringValue(node), 'two');
  const none = diffHeaps(a.heap, b.heap, { reachableFrom: 0x10 });
  assert.equal(none.added + none.removed + none.changed, 0, 'an address that is no object reaches nothing');
});

test('reachableFrom marks what a node reaches and nothing else', () => {
  const { heap, list } = generation(['x', 'y'], 'junk');
  const seen = reachableFrom(heap, heap.indexOf(list));
  const names = [...seen.keys()].filter((v) => seen[v] === 1).map((v) => heap.stringValue(v) ?? 'list');
  assert.deepEqual(names.sort(), ['list', 'x', 'y']);
  assert.equal(reachableFrom(heap, -1).indexOf(1), -1);
});

test("an object's history keeps the generations where it changed", () => {
  const gens = [generation(['one'], 'a'), generation(['one'], 'b'), generation(['one', 'two'], 'c')];
  assert.equal(gens[0]!.list, gens[2]!.list, 'the list keeps its address across generations');
  const history = objectHistory(
    gens[0]!.list,
    gens.map((g, i) => ({ generation: i + 1, heap: g.heap })),
  );
  assert.deepEqual(
    history.map((h) => [h.generation, h.value?.fields.find((f) => f.name === 'count')?.value]),
    [
      [1, { kind: 'int', value: 1 }],
      [3, { kind: 'int', value: 2 }],
    ],
  );
});
