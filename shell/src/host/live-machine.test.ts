// The host following a real machine: lang's counter example boots in QEMU through the machine
// service (from the kernel this checkout built and the counter image, its definition from images/
// and its store made by phc), and while a
// renderer is subscribed the host announces each generation the kernel commits, read from the
// store disk. The one debug-channel connection the host keeps serves snapshot now and the
// paused "now" read as well, while `phantom inspect` and another client read the machine through
// its channel broker at the same time;
// a power cut and a rollback end the connection, and following resumes when the machine runs
// again, with no error reported to the user. Needs kernel-src/build/phantom.elf and QEMU.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { instancesOf } from '@phantom/inspector/common/graph.js';
import { HeapSnapshot } from '@phantom/inspector/common/heap.js';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import type { EventData, EventMessage } from '../common/api.js';
import { InspectorSpaces } from './inspector-spaces.js';
import { MachineService } from './machine-service.js';
import { repositoryRoot } from './paths.js';

const kernelPath = join(repositoryRoot, 'kernel-src/build/phantom.elf');
const qemu = spawnSync('qemu-system-i386', ['--version']);
const problem =
  qemu.status !== 0
    ? 'qemu-system-i386 is not installed'
    : existsSync(kernelPath)
      ? undefined
      : `${kernelPath} is missing: build the kernel first (npm test does)`;

/** A boot under TCG on a loaded host, and a generation or two after it. */
const MACHINE_DEADLINE_MS = 120_000;

const dir = mkdtempSync(join(tmpdir(), 'ph-live-'));
let service: MachineService;
let spaces: InspectorSpaces;
const events: EventMessage[] = [];
let unsubscribe: (() => void) | undefined;

before(() => {
  if (problem) return;
  const imagesDir = join(dir, 'images');
  mkdirSync(imagesDir);
  // A generation a second, not the image's 10 ms: the checks below compare an announced generation
  // with the newest one following read, which at a tick a generation moves on in between.
  const definition = JSON.parse(readFileSync(join(repositoryRoot, 'images/counter.json'), 'utf8'));
  writeFileSync(join(imagesDir, 'counter.json'), JSON.stringify({ ...definition, snapshotIntervalMs: 1000 }));
  execFileSync(process.execPath, [
    ...[join(repositoryRoot, 'lang/bin/phc.mjs'), 'image', join(repositoryRoot, 'lang/examples/counter.ph')],
    ...['--main', '.demo.counter', '-o', join(imagesDir, 'counter.img')],
  ]);
  service = new MachineService(join(dir, 'machines'), { kernelPath, imagesDir });
  spaces = new InspectorSpaces(service);
  unsubscribe = service.subscribe((event) => events.push(event));
});

after(async () => {
  unsubscribe?.();
  await service?.powerCut('live').catch(() => undefined);
  service?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function announced(): EventData<'machine.generation'>[] {
  return events
    .filter((e) => e.event === 'machine.generation')
    .map((e) => e.data as EventData<'machine.generation'>)
    .filter((d) => d.machine === 'live');
}

function errors(): string[] {
  return events.filter((e) => e.event === 'studio.error').map((e) => JSON.stringify(e.data));
}

/** Resolves with the first generation announced after the `seen` announcements so far. */
async function nextAnnouncement(seen: number): Promise<EventData<'machine.generation'>> {
  const deadline = Date.now() + MACHINE_DEADLINE_MS;
  while (announced().length <= seen) {
    if (Date.now() > deadline) throw new Error(`no generation announced; events: ${JSON.stringify(events)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return announced()[seen]!;
}

/** The phantom CLI in a process of its own, on this file's machines. */
function phantom(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repositoryRoot, 'vm-manager/bin/phantom.mjs'), ...args],
      { env: { ...process.env, PHANTOM_STATE_DIR: dir }, timeout: MACHINE_DEADLINE_MS },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function counterCount(bytes: Uint8Array): number {
  const heap = new HeapSnapshot(bytes);
  const [node] = instancesOf(heap, '.demo.counter');
  assert.ok(node !== undefined, 'the space holds the counter');
  return heap.slot(node, heap.fieldNames(heap.classOf[node]!).indexOf('count')) >> 1;
}

test('each committed generation is announced, read from the store disk, with the counter going up', {
  skip: problem,
}, async () => {
  await service.create('live', 'counter');
  await service.start('live');
  const first = await nextAnnouncement(0);
  const second = await nextAnnouncement(announced().indexOf(first) + 1);
  assert.ok(second.generation > first.generation, `${second.generation} after ${first.generation}`);
  const followed = service.followedGeneration('live', second.generation);
  assert.ok(followed, 'the newest followed generation is kept');
  const space = await spaces.space('live', second.generation);
  // ok, not equal: a failed equal would print a diff of two 16 MiB buffers.
  assert.ok(space.bytes.buffer === followed.buffer, 'answered from what following read, not read again');
  assert.ok(space.bytes.length < followed.length / 8, 'only the used part of the space is sent');
  assert.equal(space.live, false);
  assert.equal(new HeapSnapshot(space.bytes).count, second.objects);
  const older = await spaces.space('live', first.generation);
  assert.ok(counterCount(space.bytes) > counterCount(older.bytes), 'the count grew between generations');
  assert.deepEqual(errors(), []);
});

test("the studio's host, phantom inspect and a second client read the running machine at once", {
  skip: problem,
}, async () => {
  const generation = await service.snapshotNow('live');
  const machine = await service.machine('live');
  // The host keeps its connection (following, snapshot now) while the others come and go through
  // the machine's channel broker.
  const { client: second } = await DebugClient.connect(machine.dir.channelSocket, 60_000);
  try {
    const [now, inspected, stats] = await Promise.all([
      spaces.space('live'),
      phantom('inspect', 'live', 'summary', '--json'),
      Promise.all(Array.from({ length: 10 }, () => second.stats())),
    ]);
    assert.equal(now.live, true);
    assert.ok(now.generation >= generation, `now is after generation ${generation}`);
    assert.ok(counterCount(now.bytes) > 0);
    // A running machine is inspected live: this read was served beside the host's.
    assert.equal(inspected.code, 0, inspected.stderr);
    const summary = JSON.parse(inspected.stdout) as { classes: { className: string; count: number }[] };
    assert.equal(summary.classes.find((c) => c.className === '.demo.counter')?.count, 1);
    assert.ok(stats.every((s) => s.generation >= generation));
  } finally {
    second.close();
  }
  // QEMU's own socket is the broker's: a client that goes around it is left waiting, as before.
  await assert.rejects(
    DebugClient.connect(machine.debugChannelPath, 30_000, 2000),
    /did not answer within 2000 ms and sent nothing: another client/,
  );
  // Following went on through all of it.
  const seen = announced().length;
  await nextAnnouncement(seen);
  assert.deepEqual(errors(), []);
});

test('after a power cut and after a rollback, following resumes without an error', {
  skip: problem,
}, async () => {
  await service.powerCut('live');
  const beforeRestart = announced().length;
  const lastBefore = announced().at(-1)!.generation;
  await service.start('live');
  const resumed = await nextAnnouncement(beforeRestart);
  assert.ok(resumed.generation > lastBefore, `${resumed.generation} after ${lastBefore}`);
  const newestBefore = (await service.timeline('live')).current ?? 0;
  await service.rollback('live', lastBefore);
  // Announced once the machine runs from the rollback: a generation of the new branch, numbered
  // after every one the store held (the first few may commit before the host reconnects).
  const branched = await nextAnnouncement(announced().length);
  assert.ok(branched.generation > newestBefore, `${branched.generation} after ${newestBefore}`);
  assert.deepEqual(errors(), []);
});
