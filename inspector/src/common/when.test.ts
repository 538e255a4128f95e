// The identity rule and the bisection of "when did this change?" on hand-made generations: bytes
// that look exactly like the object at its address before it was born are not the object; past
// 65,536 epochs an older generation is "cannot tell", never the same object; branches are
// followed by the timeline's rule; targets and values parse or are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FLAG_KIND_MASK,
  HDR_FLAGS,
  PAGE_SIZE,
  SH_EPOCH,
  SPACE_BASE,
} from '@phantom/lang/common/spec/generated.js';
import { objectHistory } from './diff.js';
import { HeapSnapshot } from './heap.js';
import { int, SpaceFixture } from './heap-fixture.test.js';
import { objectChange } from './object-changes.js';
import {
  branchPath,
  identityAcross,
  type PageReader,
  parseLiteral,
  parseTarget,
  whenChanged,
} from './when.js';

/** One generation's space: a tally (count = `count`) born in epoch `born`, SH_EPOCH = `epoch`. */
function generation(epoch: number, born: number, count: number): { bytes: Uint8Array; tally: number } {
  const f = new SpaceFixture(1 << 20);
  f.rootClass(['tally']);
  f.defineClass('.demo.tally', ['count']);
  const tally = f.object('.demo.tally', [int(count)]);
  const bytes = f.finish(f.object('.internal.root', [tally + 1]));
  const view = new DataView(bytes.buffer);
  view.setUint32(SH_EPOCH, epoch, true);
  const flags = tally - SPACE_BASE + HDR_FLAGS;
  view.setUint32(
    flags,
    ((view.getUint32(flags, true) & FLAG_KIND_MASK) | ((born & 0xffff) << 16)) >>> 0,
    true,
  );
  return { bytes, tally };
}

function reader(spaces: Map<number, Uint8Array>): PageReader & { pages: Set<string> } {
  const pages = new Set<string>();
  return {
    pages,
    page(g, p) {
      pages.add(`${g}:${p}`);
      return spaces.get(g)!.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
    },
  };
}

test('bytes identical to the object, in a generation captured before its birth, are not the object', () => {
  // Generation 1 holds, at the same address, the same bytes (a reused address, or a string that
  // looks like the header): its epoch says the object was not born yet.
  const g1 = generation(40, 50, 7);
  const g2 = generation(60, 50, 7);
  const g3 = generation(100, 50, 7);
  const spaces = new Map([
    [1, g1.bytes],
    [2, g2.bytes],
    [3, g3.bytes],
  ]);
  const answer = whenChanged(
    reader(spaces),
    1 << 20,
    [1, 2, 3],
    g3.tally,
    { kind: 'field', name: 'count' },
    { kind: 'last' },
  );
  assert.deepEqual(answer.change, {
    before: 1,
    after: 2,
    from: { kind: 'absent' },
    to: { kind: 'int', value: 7 },
  });
});

test('past 65,536 epochs, an older generation is "cannot tell", never the same object', () => {
  const born = 69_990;
  const g1 = generation(69_980, born, 7); // the stamp may name this epoch's object or one 65,536 older
  const g2 = generation(69_995, born, 7);
  const g3 = generation(70_000, born, 8);
  const spaces = new Map([
    [1, g1.bytes],
    [2, g2.bytes],
    [3, g3.bytes],
  ]);
  const read = reader(spaces);
  const all = whenChanged(
    read,
    1 << 20,
    [1, 2, 3],
    g3.tally,
    { kind: 'field', name: 'count' },
    { kind: 'all' },
  );
  assert.deepEqual(all.changes, [
    { before: 1, after: 2, from: { kind: 'unknown' }, to: { kind: 'int', value: 7 } },
    { before: 2, after: 3, from: { kind: 'int', value: 7 }, to: { kind: 'int', value: 8 } },
  ]);
  // Below the wrap the same bytes are the same object: the stamp is the whole epoch.
  const young = new Map([
    [1, generation(30, 20, 7).bytes],
    [2, generation(40, 20, 8).bytes],
  ]);
  const last = whenChanged(
    reader(young),
    1 << 20,
    [1, 2],
    g3.tally,
    { kind: 'field', name: 'count' },
    { kind: 'last' },
  );
  assert.deepEqual(last.change, {
    before: 1,
    after: 2,
    from: { kind: 'int', value: 7 },
    to: { kind: 'int', value: 8 },
  });
});

test('the branch of the newest generation, through rollbacks and generations retention dropped', () => {
  const g = (generation: number, parent: number | null, error?: string) => ({
    generation,
    parent,
    ...(error ? { error } : {}),
  });
  // 4 started a branch from 1 (a rollback): 2 and 3 are another branch.
  assert.deepEqual(branchPath([g(0, null), g(1, 0), g(2, 1), g(3, 2), g(4, 1), g(5, 4)]), [0, 1, 4, 5]);
  assert.deepEqual(branchPath([g(0, null), g(1, 0), g(2, 1), g(3, 2), g(4, 1), g(5, 4)], 3), [0, 1, 2, 3]);
  // 1 was dropped: 2's parent is gone, and the kept generation before it by number is its ancestor.
  assert.deepEqual(branchPath([g(0, null), g(2, 1), g(3, 2)]), [0, 2, 3]);
  // A damaged generation is skipped, its parent followed.
  assert.deepEqual(branchPath([g(0, null), g(1, 0), g(2, 1, 'damaged'), g(3, 2)]), [0, 1, 3]);
  assert.deepEqual(branchPath([]), []);
});

test('targets and values parse, and nonsense is refused', () => {
  assert.deepEqual(parseTarget('.count'), { kind: 'field', name: 'count' });
  assert.deepEqual(parseTarget('count'), { kind: 'field', name: 'count' });
  assert.deepEqual(parseTarget('[12]'), { kind: 'element', index: 12 });
  assert.deepEqual(parseTarget('["a \\"b\\""]'), { kind: 'entry', key: 'a "b"' });
  assert.deepEqual(parseTarget('reachable'), { kind: 'reachable' });
  assert.deepEqual(parseTarget('.reachable'), { kind: 'field', name: 'reachable' });
  for (const bad of ['', '.', '[x]', '[-1]', '["a]', '.a.b', '1abc', 'a b'])
    assert.equal(parseTarget(bad), undefined, bad);
  assert.deepEqual(parseLiteral('-5'), { kind: 'int', value: -5 });
  assert.deepEqual(parseLiteral('true'), { kind: 'int', value: 1 });
  assert.deepEqual(parseLiteral('null'), { kind: 'null' });
  assert.deepEqual(parseLiteral('@0x40001000'), { kind: 'ref', ref: 0x40001000 });
  for (const bad of ['', 'x', '1073741824', '1.5', '@zz']) assert.equal(parseLiteral(bad), undefined, bad);
});

test('the panes and the history tell a reused address from the same object by its stamp', () => {
  // Generation 1: a tally born in epoch 5; generation 2: at the same address, with the same class
  // and the same count, a tally born in epoch 12 (after generation 1 was captured, at epoch 10).
  const g1 = generation(10, 5, 7);
  const g2 = generation(14, 12, 7);
  const same = generation(14, 5, 8);
  const [h1, h2, hSame] = [g1, g2, same].map((g) => new HeapSnapshot(g.bytes));
  assert.equal(identityAcross(g1.bytes, g2.bytes, g1.tally), 'new');
  assert.equal(identityAcross(g1.bytes, same.bytes, g1.tally), 'same');
  assert.deepEqual(objectChange(h1!, h2!, g1.tally, 10), {
    kind: 'replaced',
    before: '.demo.tally',
    after: '.demo.tally',
  });
  assert.deepEqual(objectChange(h1!, hSame!, g1.tally, 10), { kind: 'same', changed: ['count'] });
  const history = objectHistory(g1.tally, [
    { generation: 1, heap: h1! },
    { generation: 2, heap: h2! },
  ]);
  assert.deepEqual(
    history.map((e) => [e.generation, e.newObject ?? false]),
    [
      [1, false],
      [2, true],
    ],
  );
});
