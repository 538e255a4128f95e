// The inspector against generations a real machine committed: the kernel boots in QEMU with a
// program that appends an entry to a persistent list every 300 ms while snapshots run every
// 200 ms; then the power is cut and the store disk is read offline. Asserts, through the
// inspector, the class summary, a path from the root to the list, a thread's frames, the history
// of the list's counter over generations, and a diff that holds exactly the entries appended
// between two generations. Needs kernel-src/build/phantom.elf (npm test builds it) and QEMU.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { diffHeaps, objectHistory } from '../common/diff.js';
import { instancesOf, pathFromRoot } from '../common/graph.js';
import type { HeapSnapshot } from '../common/heap.js';
import { threads } from '../common/objects.js';
import { parseRef } from '../common/ref.js';
import { runInspect } from './inspect-command.js';
import { storeSource } from './store-file.js';
import { bootMachine, type TestMachine } from './test-machine.test.js';

const PROGRAM = `package .test;

import .internal.io.tty;
import .internal.time;
import .internal.directory;

class entry {
  var text : string;
  var next : entry;
};

class journal {
  var head : entry;
  var count : int;

  void run() {
    directory.root().put("journal", this);
    while (true) {
      var e = new entry();
      count++;
      e.text = "entry " + count;
      e.next = head;
      head = e;
      tty.println("appended entry " + count);
      time.sleep(300);
    }
  }
};
`;
let machine: TestMachine;
let image: string;

before(async () => {
  machine = bootMachine({ name: 'journal', source: PROGRAM, mainClass: '.test.journal', append: 'snap=200' });
  image = machine.image;
  await machine.waitFor(/appended entry 8\b/, 90_000);
  await machine.kill(); // a power cut: what is on the disk is what the kernel committed
});

after(() => machine?.dispose());

/** The journal's entry count in a generation (0 before the program stored it). */
function journalCount(heap: HeapSnapshot): number {
  const journal = instancesOf(heap, '.test.journal')[0];
  if (journal === undefined) return 0;
  return heap.slot(journal, heap.fieldNames(heap.classOf[journal]!).indexOf('count')) >> 1;
}

test('summary, path from the root, and the running thread, from the committed store', async () => {
  const source = storeSource(image);
  const gens = await source.generations();
  assert.ok(gens.length >= 3, `several generations were committed: ${gens.map((g) => g.generation)}`);
  const { heap } = await source.load();
  const count = journalCount(heap);
  assert.ok(count >= 2, `the newest generation holds ${count} entries`);
  const journal = instancesOf(heap, '.test.journal')[0]!;
  const path = pathFromRoot(heap, journal)!;
  assert.equal(heap.className(heap.classOf[path[0]!]!), '.internal.root');
  assert.ok(
    path.some((n) => heap.className(heap.classOf[n]!) === '.internal.directory'),
    'through the root directory',
  );
  const list = threads(heap);
  assert.ok(
    list.some((t) => t.frames.some((f) => f.method === '.test.journal.run')),
    JSON.stringify(list),
  );
  const out: string[] = [];
  const code = await runInspect(
    ['summary'],
    source,
    (t) => out.push(t),
    () => {},
  );
  assert.equal(code, 0);
  assert.match(
    out.join('\n'),
    new RegExp(`\\.test\\.entry\\s+${instancesOf(heap, '.test.entry').length}\\s`),
  );
});

test("the journal's history shows its count growing, one generation after another", async () => {
  const source = storeSource(image);
  const snapshots = [];
  for (const g of await source.generations())
    snapshots.push({ generation: g.generation, heap: (await source.load(g.generation)).heap });
  const newest = snapshots.at(-1)!.heap;
  const address = newest.addr[instancesOf(newest, '.test.journal')[0]!]!;
  const history = objectHistory(address, snapshots).filter((h) => h.value !== null);
  const counts = history.map(
    (h) => (h.value!.fields.find((f) => f.name === 'count')!.value as { value?: number }).value ?? 0,
  );
  assert.ok(counts.length >= 2, `history: ${JSON.stringify(counts)}`);
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i]! > counts[i - 1]!, `counts grow: ${counts}`);
});

test('the diff of two generations holds exactly the entries appended between them', async () => {
  const source = storeSource(image);
  const gens = (await source.generations()).map((g) => g.generation);
  const loaded = [];
  for (const g of gens) loaded.push({ g, heap: (await source.load(g)).heap });
  const withEntries = loaded.filter((l) => journalCount(l.heap) >= 1);
  const a = withEntries[0]!;
  const b = withEntries.at(-1)!;
  const countA = journalCount(a.heap);
  const countB = journalCount(b.heap);
  assert.ok(countB > countA, `entries ${countA} → ${countB}`);
  const diff = diffHeaps(a.heap, b.heap);
  const entries = diff.byClass.find((c) => c.className === '.test.entry');
  assert.ok(entries, 'entries were added');
  assert.equal(entries.added.length, countB - countA);
  const texts = entries.added
    .map((ref) => {
      const node = b.heap.indexOf(parseRef(ref)!);
      return b.heap.stringValue(b.heap.target(b.heap.slot(node, 0)));
    })
    .sort();
  const expected = Array.from({ length: countB - countA }, (_, i) => `entry ${countA + i + 1}`).sort();
  assert.deepEqual(texts, expected);
  assert.equal(entries.removed.length, 0);
});
