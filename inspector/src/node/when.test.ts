// "When did this change?" on real store disks with over a thousand kept generations (phrun-store;
// an index of several leaves):
// the bisection's answer is checked against a linear scan that loads every kept generation of the
// branch whole; a counter reset by a second thread at a known machine time is found there; and
// addresses that a collection freed and the next boxes reused are never taken for the same object
// (the linear scan knows each box by its unique id, which the bisection never reads for identity).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HeapSnapshot } from '../common/heap.js';
import { objectView } from '../common/objects.js';
import { parseRef } from '../common/ref.js';
import { branchPath, type WhenChange } from '../common/when.js';
import { captureInspect } from './inspect-capture.test.js';
import { BOXES_SOURCE, type PhrunStore, phrunStore, resetterSource } from './phrun-store.test.js';
import { loadGeneration, openStoreFile, storeSource } from './store-file.js';
import { whenOnDisk } from './store-pages.js';

const RESET_AT_MS = 700;
/** Kept generations asked for by the issue: at least a thousand, so the index has several leaves. */
const GENERATIONS = 1100;
let resetter: PhrunStore;
let boxes: PhrunStore;

before(() => {
  resetter = phrunStore({
    source: resetterSource(RESET_AT_MS),
    mainClass: '.demo.main',
    maxMs: GENERATIONS + 20,
    snapshotMs: 1,
    keep: GENERATIONS + 100,
    diskBytes: 128 << 20,
  });
  boxes = phrunStore({ source: BOXES_SOURCE, mainClass: '.demo.main', maxMs: 300, snapshotMs: 1 });
});
after(() => {
  resetter?.dispose();
  boxes?.dispose();
});

interface Kept {
  generation: number;
  machineMs: number;
  heap: HeapSnapshot;
}

/** Every kept generation of the current branch, loaded whole (the linear scan's view). */
function loadBranch(path: string): Kept[] {
  const opened = openStoreFile(path);
  try {
    const gens = opened.store.generations.map((g) => ({
      generation: g.generation,
      parent: g.parent === 0xffffffff ? null : g.parent,
      machineMs: g.record?.uptimeMs ?? 0,
      ...(g.error ? { error: g.error } : {}),
    }));
    return branchPath(gens).map((n) => ({
      generation: n,
      machineMs: gens.find((g) => g.generation === n)!.machineMs,
      heap: loadGeneration(opened, n).heap,
    }));
  } finally {
    opened.close();
  }
}

function field(heap: HeapSnapshot, address: number, name: string): number | undefined {
  const node = heap.indexOf(address);
  if (node < 0) return undefined;
  const value = objectView(heap, node).fields.find((f) => f.name === name)?.value;
  return value?.kind === 'int' ? value.value : value?.kind === 'null' ? 0 : undefined;
}

function instance(heap: HeapSnapshot, className: string): number {
  for (let v = 0; v < heap.count; v++)
    if (heap.className(heap.classOf[v]!) === className) return heap.addr[v]!;
  throw new Error(`no ${className}`);
}

/** The last index whose value differs from the last one's. */
function lastDiffering<T>(values: readonly T[]): number {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== values.at(-1)) return i;
  return -1;
}

const around = (c: WhenChange | undefined) => c && [c.before, c.after];

test('the reset of a counter by a second thread is found where the linear scan finds it', () => {
  const branch = loadBranch(resetter.path);
  assert.ok(branch.length >= 1000, `only ${branch.length} kept generations`);
  const newest = branch.at(-1)!;
  const tally = instance(newest.heap, '.demo.tally');
  const resets = branch.map((k) => field(k.heap, tally, 'resets'));
  const lastChange = lastDiffering(resets);
  assert.ok(lastChange > 0, 'the reset happened inside the kept generations');

  const answer = whenOnDisk(resetter.path, tally, { kind: 'field', name: 'resets' }, { kind: 'last' });
  assert.equal(answer.generations, branch.length);
  assert.deepEqual(around(answer.change), [
    branch[lastChange]!.generation,
    branch[lastChange + 1]!.generation,
  ]);
  assert.deepEqual(answer.change!.from, { kind: 'int', value: 0 });
  assert.deepEqual(answer.change!.to, { kind: 'int', value: 1 });
  const before = branch[lastChange]!;
  const after = branch[lastChange + 1]!;
  assert.ok(
    before.machineMs < RESET_AT_MS + 1 && after.machineMs >= RESET_AT_MS,
    `${before.machineMs} ${after.machineMs}`,
  );
  // Bisection reads a few pages per probe, not the generations the linear scan loaded.
  assert.ok(answer.probes <= Math.ceil(Math.log2(branch.length)) + 2, `${answer.probes} probes`);

  const equals = whenOnDisk(
    resetter.path,
    tally,
    { kind: 'field', name: 'resets' },
    { kind: 'equals', value: { kind: 'int', value: 1 } },
  );
  assert.deepEqual(around(equals.change), around(answer.change));

  // --all: the tally's birth (it is not in generation 0, the image) and the reset.
  const all = whenOnDisk(resetter.path, tally, { kind: 'field', name: 'resets' }, { kind: 'all' });
  assert.equal(all.changes!.length, 2);
  assert.equal(all.changes![0]!.from.kind, 'absent');
  assert.deepEqual(around(all.changes![1]), around(answer.change));

  // Up to the reset, count only grows: it first reaches 100 where the scan first sees 100 or more.
  const counts = branch.slice(0, lastChange + 1).map((k) => field(k.heap, tally, 'count'));
  const firstAt100 = counts.findIndex((v) => v !== undefined && v >= 100);
  const reached = whenOnDisk(
    resetter.path,
    tally,
    { kind: 'field', name: 'count' },
    { kind: 'equals', value: { kind: 'int', value: 100 } },
    branch[lastChange]!.generation,
  );
  assert.deepEqual(around(reached.change), [
    branch[firstAt100 - 1]!.generation,
    branch[firstAt100]!.generation,
  ]);
});

test('a directory entry and reachability from the root: where the scan sees them change', () => {
  const branch = loadBranch(resetter.path);
  const newest = branch.at(-1)!;
  const tally = instance(newest.heap, '.demo.tally');
  const root = instance(newest.heap, '.internal.directory');
  const resets = branch.map((k) => field(k.heap, tally, 'resets'));
  const lastChange = lastDiffering(resets);
  const entry = whenOnDisk(resetter.path, root, { kind: 'entry', key: 'reset' }, { kind: 'last' });
  assert.deepEqual(around(entry.change), [
    branch[lastChange]!.generation,
    branch[lastChange + 1]!.generation,
  ]);
  assert.equal(entry.change!.from.kind, 'missing');
  assert.deepEqual(entry.change!.to, {
    kind: 'ref',
    ref: `@0x${tally.toString(16).padStart(8, '0')}`,
    className: '.demo.tally',
  });
  const missing = whenOnDisk(resetter.path, root, { kind: 'entry', key: 'nothing' }, { kind: 'last' });
  assert.equal(missing.now.kind, 'missing');
  assert.equal(missing.change, undefined);

  // The tally is reachable from its first generation on (main holds it): its birth is the change.
  const reachable = whenOnDisk(resetter.path, tally, { kind: 'reachable' }, { kind: 'last' });
  const born = branch.findIndex((k) => k.heap.indexOf(tally) >= 0);
  assert.deepEqual(around(reachable.change), [branch[born - 1]!.generation, branch[born]!.generation]);
  assert.deepEqual(reachable.change!.to, { kind: 'reachable', value: true });
  assert.deepEqual(reachable.now, { kind: 'reachable', value: true });
});

test('an address freed and reused by another box is never reported as the same object', () => {
  const branch = loadBranch(boxes.path);
  const newest = branch.at(-1)!;
  // Boxes of the newest generation whose address held another box (another id) in a kept generation.
  const reused: number[] = [];
  for (let v = 0; v < newest.heap.count; v++) {
    if (newest.heap.className(newest.heap.classOf[v]!) !== '.demo.box') continue;
    const address = newest.heap.addr[v]!;
    const id = field(newest.heap, address, 'id');
    if (
      branch.some(
        (k) =>
          k.heap.className(k.heap.classOf[k.heap.indexOf(address)] ?? -1) === '.demo.box' &&
          field(k.heap, address, 'id') !== id,
      )
    )
      reused.push(address);
    if (reused.length >= 5) break;
  }
  assert.ok(reused.length > 0, 'no address was reused: the test would prove nothing');
  for (const address of reused) {
    const id = field(newest.heap, address, 'id');
    // The scan: the first kept generation from which the box with this id stays at the address.
    let born = branch.length - 1;
    while (born > 0 && field(branch[born - 1]!.heap, address, 'id') === id) born--;
    const answer = whenOnDisk(boxes.path, address, { kind: 'field', name: 'id' }, { kind: 'last' });
    assert.equal(answer.change?.from.kind, 'absent', `${answer.ref}: ${JSON.stringify(answer.change)}`);
    assert.deepEqual(around(answer.change), [branch[born - 1]!.generation, branch[born]!.generation]);
    const all = whenOnDisk(boxes.path, address, { kind: 'field', name: 'id' }, { kind: 'all' });
    for (const c of all.changes!)
      assert.ok(c.from.kind === 'absent' || (c.from.kind === 'int' && c.from.value === 0), JSON.stringify(c));
  }
});

test('a reference whose referent was freed and its address reused is a change', () => {
  const branch = loadBranch(boxes.path);
  const newest = branch.at(-1)!;
  const main = instance(newest.heap, '.demo.main');
  // The scan: the id of the box main.current refers to, at each kept generation.
  const currentId = branch.map((k) => {
    const node = k.heap.indexOf(main);
    if (node < 0) return undefined;
    const value = objectView(k.heap, node).fields.find((f) => f.name === 'current')!.value;
    return value.kind === 'ref' ? field(k.heap, parseRef(value.ref)!, 'id') : undefined;
  });
  const lastChange = lastDiffering(currentId);
  const answer = whenOnDisk(boxes.path, main, { kind: 'field', name: 'current' }, { kind: 'last' });
  assert.deepEqual(around(answer.change), [
    branch[lastChange]!.generation,
    branch[lastChange + 1]!.generation,
  ]);
});

test('phantom inspect when: text, JSON and clear errors', async () => {
  const source = storeSource(resetter.path);
  const run = (...args: string[]) => captureInspect(source, args);
  const branch = loadBranch(resetter.path);
  const tally = instance(branch.at(-1)!.heap, '.demo.tally');
  const ref = `@0x${tally.toString(16)}`;
  const text = await run('when', ref, '.resets');
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /\.demo\.tally \.resets = 1 in gen \d+/);
  assert.match(text.out, /changed between gen \d+ → gen \d+: 0 → 1/);
  assert.match(text.out, /their diff: phantom inspect <machine> diff gen:\d+ gen:\d+ --reachable/);
  assert.match(text.out, /pages read/);
  const json = await run('when', ref, 'resets', '--json');
  const parsed = JSON.parse(json.out) as { change: WhenChange; reads: { pages: number } };
  assert.equal(parsed.change.to.kind, 'int');
  assert.ok(parsed.reads.pages > 0);
  const all = await run('when', ref, '.resets', '--all');
  assert.equal(all.out.split('\n').filter((l) => /^ {2}gen \d+ → gen \d+/.test(l)).length, 2);

  const errors: [string[], number, RegExp][] = [
    [['when'], 2, /object reference/],
    [['when', ref], 2, /\.field, \[index\], \["entry"\] or reachable/],
    [['when', 'nonsense', '.count'], 2, /object reference/],
    [['when', ref, '.nope'], 1, /\.demo\.tally has no field nope \(fields: count, resets\)/],
    [['when', ref, '.count', '--equals', 'x'], 2, /--equals takes an integer/],
    [['when', ref, '.count', '--equals', '99999999999'], 2, /--equals takes an integer/],
    [['when', ref, '.count', '--equals', '1', '--all'], 2, /do not go together/],
    [['when', ref, '[3]'], 1, /has 2 elements: no \[3\]/],
    [['when', ref, '["a"]'], 1, /not a directory/],
    [['when', `@0x${(tally + 4).toString(16)}`, '.count'], 1, /no object starts at|not an object start/],
    [['when', '@0x10', '.count'], 1, /no object starts at/],
    [['when', ref, '.count', '--at', 'gen:999999'], 1, /not kept/],
    [['object', ref, '--all'], 2, /apply to when only/],
  ];
  for (const [args, code, message] of errors) {
    const r = await run(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, args.join(' '));
  }
});
