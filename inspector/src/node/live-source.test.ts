// The live source against a real machine: the kernel booted in QEMU running lang's counter
// example, its debug channel on serial port 2 as a unix socket. Needs kernel-src/build/phantom.elf
// (npm test builds it) and qemu-system-i386.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { instancesOf } from '../common/graph.js';
import { threads } from '../common/objects.js';
import { DebugClient } from './debug-client.js';
import { runInspect } from './inspect-command.js';
import { liveHeap, liveSource } from './live-source.js';

const repo = join(import.meta.dirname, '../../..');
const kernel = join(repo, 'kernel-src/build/phantom.elf');
const dir = mkdtempSync(join(tmpdir(), 'phantom-live-'));
const socket = join(dir, 'debug.sock');
let qemu: ChildProcess;
let console = '';
let client: DebugClient;
let hello: Awaited<ReturnType<typeof DebugClient.connect>>['hello'];

/** Resolves when the console matches, or fails with the console after the deadline. */
function consoleMatch(pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(
      () => reject(new Error(`console did not match ${pattern} within ${ms} ms:\n${console}`)),
      ms,
    );
    const poll = setInterval(() => {
      if (pattern.test(console)) {
        clearTimeout(deadline);
        clearInterval(poll);
        resolve();
      }
    }, 50);
  });
}

before(async () => {
  assert.ok(existsSync(kernel), `${kernel} is missing: build the kernel first (npm test does)`);
  const image = join(dir, 'counter.img');
  execFileSync(process.execPath, [
    join(repo, 'lang/bin/phc.mjs'),
    'image',
    join(repo, 'lang/examples/counter.ph'),
    '--main',
    '.demo.counter',
    '-o',
    image,
    '--space-bytes',
    String(4 << 20),
  ]);
  qemu = spawn('qemu-system-i386', [
    ...(existsSync('/dev/kvm') ? ['-accel', 'kvm'] : ['-accel', 'tcg']),
    '-m',
    '128M',
    '-kernel',
    kernel,
    '-display',
    'none',
    '-no-reboot',
    '-serial',
    'stdio',
    '-chardev',
    `socket,id=dbg,path=${socket},server=on,wait=off`,
    '-serial',
    'chardev:dbg',
    '-drive',
    `file=${image},if=virtio,format=raw`,
  ]);
  qemu.stdout!.on('data', (d: Buffer) => {
    console += d.toString();
  });
  qemu.stderr!.on('data', (d: Buffer) => {
    console += d.toString();
  });
  await consoleMatch(/tick 3\b/, 60_000);
  ({ client, hello } = await DebugClient.connect(socket, 30_000));
});

after(() => {
  client?.close();
  qemu?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
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
