import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeapSnapshot } from './heap.js';
import { int, ref, SpaceFixture } from './heap-fixture.test.js';
import { distancesFromRoot, namedPathFromRoot, retainersOf, UNREACHABLE } from './retainers.js';

/**
 * root.first → a; root.second → list; list is an array holding b twice; a.next → b;
 * b.next → a (a cycle); junk (unreachable) → b.
 */
function graph() {
  const f = new SpaceFixture();
  f.rootClass(['first', 'second']);
  f.defineClass('.demo.node', ['next', 'value']);
  const b = f.object('.demo.node', [0, int(2)]);
  const a = f.object('.demo.node', [ref(b), int(1)]);
  f.setSlot(b, 0, ref(a));
  const list = f.array([ref(b), int(7), ref(b)]);
  const junk = f.object('.demo.node', [ref(b), int(9)]);
  const root = f.object('.internal.root', [ref(a), ref(list)]);
  const heap = new HeapSnapshot(f.finish(root));
  const n = (addr: number) => heap.indexOf(addr);
  return { heap, a: n(a), b: n(b), list: n(list), junk: n(junk), root: n(root) };
}

test('distances count references from the root; garbage has none', () => {
  const { heap, a, b, list, junk, root } = graph();
  const d = distancesFromRoot(heap);
  assert.equal(d[root], 0);
  assert.equal(d[a], 1);
  assert.equal(d[list], 1);
  assert.equal(d[b], 2);
  assert.equal(d[junk], UNREACHABLE);
});

test('retainers: each holder once, nearest first, garbage last, named by the fields that hold it', () => {
  const { heap, a, b, list, junk } = graph();
  const d = distancesFromRoot(heap);
  const rows = retainersOf(heap, b, d);
  // a and the list are both one reference from the root: the older (lower address) first.
  assert.deepEqual(
    rows.map((r) => r.node),
    [a, list, junk],
  );
  assert.deepEqual(rows.find((r) => r.node === a)!.via, ['next']);
  assert.deepEqual(rows.find((r) => r.node === list)!.via, ['[0]', '[2]']);
  assert.equal(rows.at(-1)!.node, junk);
  assert.equal(rows.at(-1)!.distance, UNREACHABLE);
  assert.ok(rows.every((r) => !r.cycle));
});

test('retainers: a holder already on the branch is a cycle, not expanded again', () => {
  const { heap, a, b, root } = graph();
  const d = distancesFromRoot(heap);
  // b ← a, and a's holders are the root and b: b is on the branch (b → a → b).
  const ofA = retainersOf(heap, a, d, new Set([b, a]));
  assert.deepEqual(
    ofA.map((r) => [r.node, r.cycle]),
    [
      [root, false],
      [b, true],
    ],
  );
  assert.deepEqual(ofA[0]!.via, ['first']);
});

test('the path from the root names the field taken at each step', () => {
  const { heap, b, junk, root } = graph();
  const path = namedPathFromRoot(heap, b)!;
  assert.equal(path[0]!.node, root);
  assert.equal(path[0]!.via, undefined);
  assert.deepEqual(
    path.slice(1).map((s) => s.via),
    ['first', 'next'],
  );
  assert.equal(namedPathFromRoot(heap, junk), undefined);
});
