// The inspector on lang's notes example in a real machine, the way a developer runs an edited
// program: the kernel boots in QEMU with lang/examples/notes.ph, which adds three notes and ends;
// generation A is committed through the debug channel. Then notes.ph is compiled, its classes
// installed into the running machine and run again (RUN), and generation B is committed. Read
// offline after a power cut, the diff of A and B over the programs' data (what the root directory
// reaches) holds exactly the three notes appended, grouped by class, and nothing else of the
// program changed. Needs kernel-src/build/phantom.elf (npm test builds it) and qemu-system-i386.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compile } from '@phantom/lang/common/compiler.js';
import { ROOT_DIRECTORY, TS_DONE } from '@phantom/lang/common/spec/generated.js';
import { diffHeaps } from '../common/diff.js';
import type { HeapSnapshot } from '../common/heap.js';
import { parseRef } from '../common/ref.js';
import { DebugClient } from './debug-client.js';
import { storeSource } from './store-file.js';
import { bootMachine, repo, type TestMachine } from './test-machine.test.js';

const NOTES = join(repo, 'lang/examples/notes.ph');

let machine: TestMachine;
let generationA: number;
let generationB: number;

before(async () => {
  machine = bootMachine({
    name: 'notes',
    source: readFileSync(NOTES, 'utf8'),
    mainClass: '.demo.notes',
    append: 'snap=0', // generations only when the test asks for one
  });
  await machine.waitFor(/vm: every thread has ended/, 60_000);
});

after(() => machine?.dispose());

/** The address of the root directory: what the programs keep. */
function directoryOf(heap: HeapSnapshot): number {
  return heap.addr[heap.target(heap.slot(heap.root, ROOT_DIRECTORY))]!;
}

test('install and run notes again in the running machine: three notes more', async () => {
  const { client } = await DebugClient.connect(machine.socket, 60_000);
  try {
    generationA = await client.snapshotNow();
    const { program, diagnostics } = compile([{ file: 'notes.ph', text: readFileSync(NOTES, 'utf8') }]);
    assert.ok(program, diagnostics.map((d) => d.message).join('\n'));
    const classes = program.classes.filter((c) => c.name.startsWith('.demo.'));
    assert.deepEqual(classes.map((c) => c.name).sort(), ['.demo.noteList', '.demo.notes']);
    for (const cls of classes) await client.installClass(cls);

    const ended: { thread: number; id: number; state: number }[] = [];
    client.onDidEndThread((e) => ended.push(e));
    const run = await client.run('.demo.notes');
    await machine.waitFor(
      /notes: 6\r?\n[\s\S]*note 6 written at run 2[\s\S]*vm: every thread has ended/,
      30_000,
    );
    assert.deepEqual(
      ended,
      [{ thread: run.thread, id: run.id, state: TS_DONE }],
      'EV_THREAD_END: the run is done',
    );
    generationB = await client.snapshotNow();
    assert.ok(generationB > generationA);
  } finally {
    client.close();
  }
});

test('the diff of A and B over the programs’ data: exactly the three notes appended', async () => {
  await machine.kill(); // a power cut; both generations were committed
  const source = storeSource(machine.image);
  const a = (await source.load(generationA)).heap;
  const b = (await source.load(generationB)).heap;
  const directory = directoryOf(b);
  assert.equal(directoryOf(a), directory, 'the root directory is one object in both');
  const diff = diffHeaps(a, b, { reachableFrom: directory });
  const rows = diff.byClass.map((r) => [r.className, r.added.length, r.removed.length, r.changed.length]);
  assert.deepEqual(rows.sort(), [
    ['.demo.noteList', 0, 0, 1], // its count, and its items array, which grew
    ['.internal.string', 3, 0, 0], // the three notes
    ['.internal.string[]', 1, 1, 0], // the items array (a string[]): 4 slots replaced by 8
  ]);
  const texts = diff.byClass
    .find((r) => r.className === '.internal.string')!
    .added.map((ref) => b.stringValue(b.indexOf(parseRef(ref)!)));
  assert.deepEqual(
    texts.sort(),
    [4, 5, 6].map((n) => `note ${n} written at run 2`),
  );

  const everything = diffHeaps(a, b);
  assert.ok(
    everything.added > diff.added,
    'the whole space also holds the run’s garbage and the installed code, which the data diff leaves out',
  );
});
