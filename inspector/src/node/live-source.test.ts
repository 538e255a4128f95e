// The live source against a real machine: the kernel booted in QEMU running lang's counter
// example, its debug channel on serial port 2 as a unix socket. Needs kernel-src/build/phantom.elf
// (npm test builds it) and qemu-system-i386.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { instancesOf } from '../common/graph.js';
import { threads } from '../common/objects.js';
import { DebugClient } from './debug-client.js';
import { runInspect } from './inspect-command.js';
import { liveHeap, liveSource } from './live-source.js';
import { bootMachine, repo, type TestMachine } from './test-machine.test.js';

let machine: TestMachine;
let client: DebugClient;
let hello: Awaited<ReturnType<typeof DebugClient.connect>>['hello'];

before(async () => {
  machine = bootMachine({
    name: 'live',
    source: readFileSync(join(repo, 'lang/examples/counter.ph'), 'utf8'),
    mainClass: '.demo.counter',
  });
  await machine.waitFor(/tick 3\b/, 60_000);
  ({ client, hello } = await DebugClient.connect(machine.socket, 30_000));
});

after(() => {
  client?.close();
  machine?.dispose();
});

test('hello describes the machine', () => {
  assert.equal(hello.spaceSize, 4 << 20);
  assert.equal(hello.spaceBase, 0x40000000);
  assert.match(hello.kernel, /phantom/);
});

test('the live heap, read with the world paused, holds the counter and its running thread', async () => {
  const { heap } = await liveHeap(client, hello);
  const counters = instancesOf(heap, '.demo.counter');
  assert.equal(counters.length, 1);
  const fields = heap.fieldNames(heap.classOf[counters[0]!]!);
  assert.ok(fields.length > 0, 'the counter has named fields');
  const list = threads(heap);
  assert.ok(list.length >= 1);
  assert.ok(
    list.some((t) => t.frames.some((f) => f.method.startsWith('.demo.counter.'))),
    `a thread runs in .demo.counter: ${JSON.stringify(list.map((t) => t.frames.map((f) => f.method)))}`,
  );
  const stats = await client.stats();
  assert.equal(stats.paused, false, 'the world runs again after the read');
});

test('phantom inspect summary works against the live machine', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runInspect(
    ['summary'],
    liveSource(client, hello),
    (t) => out.push(t),
    (t) => err.push(t),
  );
  assert.equal(code, 0, err.join('\n'));
  assert.match(out.join('\n'), /\.demo\.counter\s+1\s/);
});
