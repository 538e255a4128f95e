// The inspector on lang's counter example in a real machine: the kernel boots in QEMU with
// lang/examples/counter.ph and takes snapshots every 200 ms. While it runs, "now" is read live
// through the debug channel (world paused, then resumed); then the power is cut and the committed
// generations are read offline from the store disk. Asserts, through the inspector, the class
// summary, a path from the root to the counter object, the counter thread's frames, and the
// counter's history over several generations (its count strictly growing); and that a view
// following the committed generations (followCommitted) sees each newer one. Needs
// kernel-src/build/phantom.elf (npm test builds it) and qemu-system-i386.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { objectHistory } from '../common/diff.js';
import { instancesOf, pathFromRoot } from '../common/graph.js';
import type { HeapSnapshot } from '../common/heap.js';
import { threads } from '../common/objects.js';
import { formatRef } from '../common/ref.js';
import { DebugClient } from './debug-client.js';
import { captureInspect } from './inspect-capture.test.js';
import type { InspectSource } from './inspect-command.js';
import { type CommittedView, followCommitted } from './live-view.js';
import { machineSource } from './machine-source.js';
import { storeSource } from './store-file.js';
import { bootMachine, repo, type TestMachine } from './test-machine.test.js';

/** Generations the offline tests want: the counter ticks 10 times a second, snapshots come 5 times. */
const TICKS_BEFORE_THE_CUT = 15;

let machine: TestMachine;

before(async () => {
  machine = bootMachine({
    name: 'counter',
    source: readFileSync(join(repo, 'lang/examples/counter.ph'), 'utf8'),
    mainClass: '.demo.counter',
    append: 'snap=200',
  });
  await machine.waitFor(/tick 3\b/, 60_000);
});

after(() => machine?.dispose());

/** The counter's count in a generation (the one instance of .demo.counter). */
function counterOf(heap: HeapSnapshot): { node: number; count: number } {
  const [node] = instancesOf(heap, '.demo.counter');
  assert.ok(node !== undefined, 'the generation holds the counter');
  return { node, count: heap.slot(node, heap.fieldNames(heap.classOf[node]!).indexOf('count')) >> 1 };
}

async function inspect(args: string[], source: InspectSource): Promise<string> {
  const { code, out, err } = await captureInspect(source, args);
  assert.equal(code, 0, err);
  return out;
}

test('now, read live: hello, the summary and the running thread, and the world runs on', async () => {
  const { client, hello } = await DebugClient.connect(machine.socket, 30_000);
  try {
    assert.equal(hello.spaceSize, 4 << 20);
    assert.equal(hello.spaceBase, 0x40000000);
    assert.match(hello.kernel, /phantom/);
  } finally {
    client.close();
  }
  const source = machineSource({
    disk: machine.image,
    debugSocket: machine.socket,
    running: async () => true,
  });
  const now = await source.load();
  assert.equal(now.live, true);
  assert.ok(counterOf(now.heap).count >= 3);
  assert.ok(
    threads(now.heap).some((t) => t.frames[0]?.method === '.demo.counter.run'),
    'the counter thread is in run()',
  );
  assert.match(await inspect(['summary'], source), /\.demo\.counter\s+1\s/);
  const { client: again } = await DebugClient.connect(machine.socket, 30_000);
  try {
    assert.equal((await again.stats()).paused, false, 'the world runs again after the read');
  } finally {
    again.close();
  }
});

test('a view that follows the committed generations from the disk: each newer, the count growing', async () => {
  const { client } = await DebugClient.connect(machine.socket, 30_000);
  const views: CommittedView[] = [];
  const errors: Error[] = [];
  const following = followCommitted(
    client,
    machine.image,
    (view) => views.push(view),
    (err) => errors.push(err),
  );
  try {
    const deadline = performance.now() + 30_000;
    while (views.length < 3) {
      assert.ok(performance.now() < deadline, `${views.length} views within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    following.dispose();
    client.close();
  }
  assert.deepEqual(errors, []);
  const seen = views.map((v) => ({ generation: v.generation, count: counterOf(v.heap).count }));
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i]!.generation > seen[i - 1]!.generation, JSON.stringify(seen));
    assert.ok(seen[i]!.count > seen[i - 1]!.count, JSON.stringify(seen));
  }
});

test('from the committed store: summary, path from the root to the counter, and its thread', async () => {
  await machine.waitFor(new RegExp(`tick ${TICKS_BEFORE_THE_CUT}\\b`), 60_000);
  await machine.kill(); // a power cut: what is on the disk is what the kernel committed
  const source = storeSource(machine.image);
  const { heap } = await source.load();
  const { node } = counterOf(heap);
  const path = pathFromRoot(heap, node)!;
  assert.deepEqual(
    path.map((n) => heap.className(heap.classOf[n]!)),
    ['.internal.root', '.internal.thread', '.internal.frame', '.demo.counter'],
    'root → its thread → the run() frame, whose local 0 is the counter',
  );
  const [thread] = threads(heap);
  assert.deepEqual(
    thread!.frames.map((f) => f.method),
    ['.demo.counter.run', '.internal.boot.main'],
  );
  assert.equal(thread!.frames[0]!.locals[0]!.kind, 'ref');
  const line = thread!.frames[0]!.line!;
  assert.ok(line >= 16 && line <= 19, `run() is in its loop (lines 16-19 of counter.ph): line ${line}`);
  const summary = await inspect(['summary'], source);
  assert.match(summary, /\.demo\.counter\s+1\s/);
  assert.match(summary, /\.internal\.thread\s+1\s/);
});

test("the counter's history: its count strictly grows, one generation after another", async () => {
  const source = storeSource(machine.image);
  const snapshots = [];
  for (const g of await source.generations())
    snapshots.push({ generation: g.generation, heap: (await source.load(g.generation)).heap });
  assert.ok(snapshots.length >= 4, `generations: ${snapshots.map((s) => s.generation)}`);
  const newest = snapshots.at(-1)!.heap;
  const address = newest.addr[counterOf(newest).node]!;
  const history = objectHistory(address, snapshots).filter((h) => h.value !== null);
  const counts = history.map((h) => {
    const count = h.value!.fields.find((f) => f.name === 'count')!.value;
    assert.equal(count.kind, 'int');
    return count.kind === 'int' ? count.value : -1;
  });
  assert.ok(counts.length >= 3, `history: ${counts}`);
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i]! > counts[i - 1]!, `counts grow: ${counts}`);
  const cli = await inspect(['history', formatRef(address)], source);
  for (const count of counts)
    assert.match(cli, new RegExp(`^gen \\d+: \\.demo\\.counter count=${count}$`, 'm'));
});
