import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeapSnapshot } from '../common/heap.js';
import { int, ref, SpaceFixture } from '../common/heap-fixture.test.js';
import { formatRef } from '../common/ref.js';
import { captureInspect } from './inspect-capture.test.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type InspectSource } from './inspect-command.js';

/** Generation n holds a counter with value 10 + n (0 would read as null: the word 0 is both) and n notes in a list; the counter's address is stable. */
function generation(n: number): { heap: HeapSnapshot; counter: number } {
  const f = new SpaceFixture();
  f.rootClass(['counter', 'notes']);
  f.defineClass('.demo.counter', ['value']);
  f.defineClass('.demo.note', ['text', 'next']);
  const counter = f.object('.demo.counter', [int(10 + n)]);
  let head = 0;
  for (let i = 0; i < n; i++)
    head = f.object('.demo.note', [ref(f.string(`note ${i}`)), head ? ref(head) : 0]);
  const root = f.object('.internal.root', [ref(counter), head ? ref(head) : 0]);
  return { heap: new HeapSnapshot(f.finish(root)), counter };
}

const gens = [0, 1, 2].map(generation);
const source: InspectSource = {
  generations: async () => gens.map((_, i) => ({ generation: i, parent: i === 0 ? null : i - 1 })),
  load: async (n) => ({ generation: n ?? 2, heap: gens[n ?? 2]!.heap }),
};

const run = (...args: string[]) => captureInspect(source, args);

test('summary lists classes with counts, as text and JSON', async () => {
  const text = await run('summary');
  assert.equal(text.code, EXIT_OK);
  assert.match(text.out, /generation 2: \d+ objects/);
  assert.match(text.out, /\.demo\.note\s+2\s/);
  const json = JSON.parse((await run('summary', '--json', '--at', 'gen:1')).out);
  assert.equal(json.generation, 1);
  assert.equal(json.classes.find((c: { className: string }) => c.className === '.demo.note').count, 1);
});

test('summary shows an address per class that object, path and history then take', async () => {
  const text = await run('summary');
  const counterRow = text.out.split('\n').find((line) => line.startsWith('.demo.counter'));
  const shown = counterRow?.match(/@0x[0-9a-f]{8}/)?.[0];
  assert.equal(shown, formatRef(gens[2]!.counter), counterRow);
  for (const command of ['object', 'path', 'history'])
    assert.equal((await run(command, shown!)).code, EXIT_OK, command);
  const json = JSON.parse((await run('summary', '--json')).out);
  const counter = json.classes.find((c: { className: string }) => c.className === '.demo.counter');
  assert.equal(counter.largest, shown);
});

test('instances lists a class by part of its name, with distance from the root', async () => {
  const json = JSON.parse((await run('instances', 'note', '--json')).out);
  assert.equal(json.instances.length, 2);
  assert.ok(json.instances.every((i: { className: string }) => i.className === '.demo.note'));
  assert.deepEqual(json.instances.map((i: { distance: number }) => i.distance).sort(), [1, 2]);
  assert.match((await run('instances', 'counter')).out, /@0x[0-9a-f]{8}\s+\.demo\.counter\s+\d+\s+\d+\s+1/);
  assert.equal((await run('instances', 'nosuchclass')).code, EXIT_FAILED);
  assert.equal((await run('instances')).code, EXIT_USAGE);
});

test('object shows fields by name and referrers; path names the fields it follows', async () => {
  const counter = formatRef(gens[2]!.counter);
  const obj = JSON.parse((await run('object', counter, '--json')).out);
  assert.equal(obj.className, '.demo.counter');
  assert.deepEqual(obj.fields, [{ name: 'value', value: { kind: 'int', value: 12 } }]);
  assert.equal(obj.referrers[0].className, '.internal.root');
  assert.deepEqual(obj.referrers[0].via, ['counter']);
  const path = await run('path', counter);
  assert.equal(path.code, EXIT_OK);
  assert.match(path.out, /\.counter → @0x[0-9a-f]{8} \.demo\.counter/);
});

test('history shows the counter at each generation where it changed; diff shows the note added', async () => {
  const history = JSON.parse((await run('history', formatRef(gens[2]!.counter), '--json')).out);
  assert.deepEqual(
    history.history.map((h: { generation: number; value: { fields: { value: { value: number } }[] } }) => [
      h.generation,
      h.value.fields[0]!.value.value,
    ]),
    [
      [0, 10],
      [1, 11],
      [2, 12],
    ],
  );
  const diff = JSON.parse((await run('diff', 'gen:1', 'gen:2', '--json')).out);
  const notes = diff.byClass.find((c: { className: string }) => c.className === '.demo.note');
  assert.ok(notes.added.length + notes.changed.length >= 1);
  assert.match((await run('diff', 'gen:0', 'gen:2')).out, /gen 0 → gen 2: \d+ added/);
  // The ends of what is kept, whatever retention has thinned.
  assert.equal(
    (await run('diff', 'gen:oldest', 'gen:newest')).out,
    (await run('diff', 'gen:0', 'gen:2')).out,
  );
  // Retention drops the oldest between its naming and its read (as on a machine running at 100
  // generations a second): gen:oldest is resolved again, and gen:N is not.
  let kept = [0, 1, 2];
  const thinning: InspectSource = {
    generations: async () => kept.map((g) => ({ generation: g, parent: g === 0 ? null : g - 1 })),
    load: async (n) => {
      const dropped = kept.includes(n!) && kept.length > 2 && n === kept[0];
      if (dropped) kept = kept.slice(1);
      if (!kept.includes(n!)) throw new Error(`generation ${n} is not in the index`);
      return { generation: n!, heap: gens[n!]!.heap };
    },
  };
  const thinned = await captureInspect(thinning, ['diff', 'gen:oldest', 'gen:newest']);
  assert.equal(thinned.code, EXIT_OK, thinned.err);
  assert.equal(thinned.out, (await run('diff', 'gen:1', 'gen:2')).out);
  kept = [0, 1, 2];
  const numbered = await captureInspect(thinning, ['diff', 'gen:0', 'gen:2']);
  assert.equal(numbered.code, EXIT_FAILED);
  assert.match(numbered.err, /generation 0 is not in the index/);
  const wrong = await run('diff', 'gen:first', 'gen:2');
  assert.equal(wrong.code, EXIT_USAGE);
  assert.match(wrong.err, /gen:oldest or gen:newest/);
});

/** Two generations of a counter whose second holds a new note and a string nothing refers to. */
function withGarbage(): InspectSource {
  const make = (notes: string[], garbage?: string) => {
    const f = new SpaceFixture();
    f.rootClass(['counter', 'notes']);
    f.defineClass('.demo.counter', ['value']);
    f.defineClass('.demo.note', ['text', 'next']);
    const counter = f.object('.demo.counter', [int(10)]);
    let head = 0;
    for (const text of notes) head = f.object('.demo.note', [ref(f.string(text)), head ? ref(head) : 0]);
    if (garbage) f.string(garbage);
    const root = f.object('.internal.root', [ref(counter), head ? ref(head) : 0]);
    return { heap: new HeapSnapshot(f.finish(root)), counter };
  };
  const heaps = [make(['a']), make(['a', 'b'], 'a temporary')];
  return {
    generations: async () => [
      { generation: 0, parent: null },
      { generation: 1, parent: 0 },
    ],
    load: async (n) => ({ generation: n ?? 1, heap: heaps[n ?? 1]!.heap }),
  };
}

test('diff --reachable leaves garbage out; --reachable-from compares what one object reaches', async () => {
  const garbageSource = withGarbage();
  const runOn = (...args: string[]) => captureInspect(garbageSource, args);
  const strings = (json: string) =>
    JSON.parse(json).byClass.find((c: { className: string }) => c.className === '.internal.string');
  const everything = await runOn('diff', 'gen:0', 'gen:1', '--json');
  assert.equal(strings(everything.out).added.length, 2, 'the new note and the garbage string');
  const reachable = await runOn('diff', 'gen:0', 'gen:1', '--reachable', '--json');
  assert.equal(reachable.code, EXIT_OK, reachable.err);
  assert.equal(strings(reachable.out).added.length, 1, 'only the note is reachable');
  assert.equal(JSON.parse(reachable.out).reachableFrom, 'root');
  assert.match((await runOn('diff', 'gen:0', 'gen:1', '--reachable')).out, /\(reachable from the root\)/);
  const classOfClasses = formatRef((await garbageSource.load(1)).heap.addr[0]!);
  const fromClassOfClasses = await runOn('diff', 'gen:0', 'gen:1', `--reachable-from=${classOfClasses}`);
  assert.equal(fromClassOfClasses.code, EXIT_OK, fromClassOfClasses.err);
  assert.match(fromClassOfClasses.out, /: 0 added, 0 removed, 0 changed/);
  const nowhere = await runOn('diff', 'gen:0', 'gen:1', '--reachable-from', '@0x7ffffff0');
  assert.equal(nowhere.code, EXIT_FAILED);
  assert.match(nowhere.err, /no object at @0x7ffffff0 in both generations 0 and 1/);
  for (const args of [
    ['diff', 'gen:0', 'gen:1', '--reachable-from'],
    ['diff', 'gen:0', 'gen:1', '--reachable-from', 'root'],
    ['summary', '--reachable'],
  ]) {
    const r = await runOn(...args);
    assert.equal(r.code, EXIT_USAGE, args.join(' '));
    assert.match(r.err, /usage: phantom inspect/);
  }
});

test('bad usage exits 2 with the usage text; a missing object exits 1', async () => {
  for (const args of [
    [],
    ['frobnicate'],
    ['object'],
    ['object', 'nonsense'],
    ['diff', 'gen:1'],
    ['summary', '--at', 'yesterday'],
    ['summary', '--fast'],
  ]) {
    const r = await run(...args);
    assert.equal(r.code, EXIT_USAGE, args.join(' '));
    assert.match(r.err, /usage: phantom inspect/);
  }
  const missing = await run('object', '@0x40000002');
  assert.equal(missing.code, EXIT_FAILED);
  assert.match(missing.err, /no object at @0x40000002/);
});
