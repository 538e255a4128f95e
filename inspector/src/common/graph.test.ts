import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classSummary, dominators, findByField, instancesOf, pathFromRoot, retainedSizes } from './graph.js';
import { HeapSnapshot, SpaceFormatError } from './heap.js';
import { int, ref, SpaceFixture } from './heap-fixture.test.js';
import { objectView } from './objects.js';
import { formatRef } from './ref.js';

/** root → a → b → c → a (a cycle), root → d → b (b shared), e unreachable. */
function cyclicGraph() {
  const f = new SpaceFixture();
  f.rootClass(['first', 'second']);
  f.defineClass('.demo.node', ['next', 'other', 'value', 'label']);
  const c = f.object('.demo.node', [0, 0, int(3), ref(f.string('c'))]);
  const b = f.object('.demo.node', [ref(c), 0, int(2), ref(f.string('b'))]);
  const a = f.object('.demo.node', [ref(b), 0, int(1), ref(f.string('a'))]);
  f.setSlot(c, 0, ref(a));
  const d = f.object('.demo.node', [ref(b), 0, int(4), 0]);
  f.free(40);
  const e = f.object('.demo.node', [ref(a), 0, int(5), 0]);
  const root = f.object('.internal.root', [ref(a), ref(d)]);
  const heap = new HeapSnapshot(f.finish(root));
  const n = (addr: number) => heap.indexOf(addr);
  return { heap, a: n(a), b: n(b), c: n(c), d: n(d), e: n(e), root: n(root) };
}

test('the walker indexes every object, skips free blocks and resolves references', () => {
  const { heap, a, b, d, e } = cyclicGraph();
  assert.equal(heap.danglingRefs, 0);
  assert.ok(heap.count > 10);
  assert.deepEqual(
    [...heap.references(a)].filter((x) => heap.className(heap.classOf[x]!) === '.demo.node'),
    [b],
  );
  assert.deepEqual(
    [...heap.referrers(b)].sort((x, y) => x - y),
    [a, d].sort((x, y) => x - y),
  );
  assert.ok([...heap.referrers(a)].includes(e), 'unreachable e still refers to a');
});

test('dominators: a shared node is dominated by the root, a cycle by its entry', () => {
  const { heap, a, b, c, d, e, root } = cyclicGraph();
  const idom = dominators(heap);
  assert.equal(idom[a], root);
  assert.equal(idom[d], root);
  assert.equal(idom[b], root, 'b is reachable through a and through d');
  assert.equal(idom[c], b);
  assert.equal(idom[e], -1, 'unreachable');
  const retained = retainedSizes(heap, idom);
  assert.ok(retained[b]! >= heap.shallow[b]! + heap.shallow[c]!);
  assert.equal(retained[e], 0);
});

test('class summary counts instances, sizes and unreachable ones', () => {
  const { heap } = cyclicGraph();
  const row = classSummary(heap).find((r) => r.className === '.demo.node')!;
  assert.equal(row.count, 5);
  assert.equal(row.unreachable, 1);
  assert.equal(row.shallowBytes, 5 * (12 + 16));
  assert.ok(row.retainedBytes >= 4 * 28, 'the four reachable nodes are retained by the set');
});

test('path from the root is the shortest chain of references', () => {
  const { heap, b, c, d, e, root } = cyclicGraph();
  const path = pathFromRoot(heap, c)!;
  assert.equal(path[0], root);
  assert.equal(path.at(-1), c);
  assert.equal(path.length, 4, 'root → a|d → b → c');
  assert.ok(path[1] === d || path[2] === b);
  assert.equal(pathFromRoot(heap, e), undefined);
});

test('find by class and by field value (integer, string, null)', () => {
  const { heap, b, d, e } = cyclicGraph();
  assert.equal(instancesOf(heap, '.demo.node').length, 5);
  assert.deepEqual(findByField(heap, 'value', 2), [b]);
  assert.deepEqual(findByField(heap, 'label', 'b'), [b]);
  assert.deepEqual(findByField(heap, 'label', null, '.demo.node'), [d, e]);
});

test('object view names fields and previews strings', () => {
  const { heap, b, c } = cyclicGraph();
  const view = objectView(heap, b);
  assert.equal(view.className, '.demo.node');
  assert.deepEqual(
    view.fields.map((f) => f.name),
    ['next', 'other', 'value', 'label'],
  );
  assert.deepEqual(view.fields[0]!.value, {
    kind: 'ref',
    ref: formatRef(heap.addr[c]!),
    className: '.demo.node',
  });
  assert.deepEqual(view.fields[2]!.value, { kind: 'int', value: 2 });
  assert.equal(view.fields[3]!.value.kind === 'ref' && view.fields[3]!.value.preview, 'b');
});

test('a corrupt space is a SpaceFormatError, never a crash', () => {
  const { heap } = cyclicGraph();
  const bytes = heap.space.slice();
  assert.throws(() => new HeapSnapshot(bytes.subarray(0, 10)), SpaceFormatError);
  const badMagic = bytes.slice();
  badMagic[0] = 0;
  assert.throws(() => new HeapSnapshot(badMagic), /bad magic/);
  for (let seed = 1; seed < 300; seed++) {
    const mutated = bytes.slice();
    for (let k = 0; k < 8; k++) mutated[(seed * 7919 * (k + 1)) % 2048]! ^= 1 << (k % 8);
    try {
      const h = new HeapSnapshot(mutated);
      classSummary(h);
    } catch (err) {
      assert.ok(err instanceof SpaceFormatError, `seed ${seed}: ${err}`);
    }
  }
});
