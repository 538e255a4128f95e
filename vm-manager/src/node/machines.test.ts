/**
 * The Machines service's bad input and faults: names, configs, missing and corrupt disks, a
 * missing QEMU, two processes racing for one machine, several machines running at once, and the
 * Phantom kernel stopping itself (a store it cannot mount, a store that can take no generation).
 */
import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildSpace } from '@phantom/lang/common/image/builder.js';
import { program, systemClasses } from '@phantom/lang/common/interp/assembler.js';
import * as S from '@phantom/lang/common/spec/generated.js';
import { storeDiskOf } from '@phantom/lang/common/store/forge.js';
import { writeGeneration0 } from '@phantom/lang/common/store/generation0.js';
import { isVmError } from '../common/errors.js';
import {
  BOOT_DEADLINE_MS,
  buildTickKernel,
  ConsoleRecorder,
  type TestState,
  temporaryState,
  whenCrashed,
} from '../test-support/fixtures.js';
import { SOURCE_ROOT } from './build.js';
import { runQemuImg } from './machine-dir.js';
import { Machines } from './machines.js';
import { pollUntil } from './process-watch.js';

let state: TestState;
let kernelPath: string;

before(async () => {
  state = await temporaryState();
  kernelPath = await buildTickKernel(state.root);
});

after(async () => {
  await state.cleanup();
});

const rejectsWith = (promise: Promise<unknown>, code: string, message?: RegExp) =>
  assert.rejects(
    promise,
    (err) => isVmError(err) && err.code === code && (!message || message.test(err.message)),
  );

test('bad names and configs are refused with a reason', async () => {
  await rejectsWith(state.machines.create('../escape'), 'bad-input', /machine name/);
  await rejectsWith(state.machines.create('ok', { memoryMiB: 3 }), 'bad-input', /memoryMiB/);
  await rejectsWith(state.machines.create('ok', { driver: 'xen' as 'qemu' }), 'bad-input', /driver/);
  await rejectsWith(
    state.machines.create('ok', { kernelPath: '/nonexistent/kernel.elf' }),
    'bad-input',
    /does not exist/,
  );
  await rejectsWith(state.machines.create('ok', { unknown: 1 } as object), 'bad-input');
  await rejectsWith(state.machines.get('nobody'), 'no-such-machine');
});

test('a machine is made from a raw boot image (as built) or a qcow2 one (as a package carries it)', async () => {
  const raw = join(state.root, 'boot.img');
  await writeFile(raw, Buffer.concat([Buffer.from('PHANTOM STORE'), Buffer.alloc(2 * 1024 * 1024 - 13, 7)]));
  const qcow2 = join(state.root, 'boot-qcow2.img');
  await runQemuImg(['convert', '-q', '-c', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
  for (const [name, imagePath] of [
    ['from-raw', raw],
    ['from-qcow2', qcow2],
  ] as const) {
    const machine = await state.machines.create(name, { kernelPath, imagePath });
    // qemu-img compare exits 0 only when both hold the same bytes (and fails the call otherwise).
    await runQemuImg(['compare', '-q', '-f', 'qcow2', '-F', 'raw', machine.dir.disk, raw]);
  }
});

test('a damaged config or state file is a clear error, not a crash', async () => {
  const machine = await state.machines.create('damaged', { kernelPath });
  await writeFile(machine.dir.stateFile, '{ half a state');
  assert.equal((await machine.status()).state, 'stopped');
  for (const text of ['not json', '{"driver": "qemu", "memoryMiB": "lots"}', '[]', '']) {
    await writeFile(machine.dir.configFile, text);
    const fresh = new Machines({ root: join(state.root, 'machines') });
    try {
      await rejectsWith(fresh.get('damaged'), 'bad-input', /config/);
    } finally {
      fresh.dispose();
    }
  }
  await rm(machine.dir.path, { recursive: true });
});

test('a taken name is refused, also when two creates race', async () => {
  const results = await Promise.allSettled([
    state.machines.create('twin', { kernelPath }),
    new Machines({ root: join(state.root, 'machines') }).create('twin', { kernelPath }),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const refused = results.find((r) => r.status === 'rejected');
  assert.ok(refused && isVmError(refused.reason, 'name-taken'));
  await rejectsWith(state.machines.create('twin', { kernelPath }), 'name-taken');
});

test('a missing or corrupt disk is a clear error at start, and the machine stays stopped', async () => {
  const missing = await state.machines.create('no-disk', { kernelPath });
  await rm(missing.dir.disk);
  await rejectsWith(missing.start(), 'disk-problem', /no disk/);
  const corrupt = await state.machines.create('corrupt', { kernelPath });
  await writeFile(corrupt.dir.disk, 'this is not a qcow2 image');
  await rejectsWith(corrupt.start(), 'disk-problem');
  const truncated = await state.machines.create('truncated', { kernelPath });
  await truncate(truncated.dir.disk, 100);
  await rejectsWith(truncated.start(), 'disk-problem');
  // A sound header over a damaged image: QEMU refuses it, and that is a disk problem too.
  const damaged = await state.machines.create('damaged-inside', { kernelPath });
  const file = await open(damaged.dir.disk, 'r+');
  await file.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]), 0, 8, 40);
  await file.close();
  await rejectsWith(damaged.start(), 'disk-problem', /L1 table/);
  assert.equal((await corrupt.status()).state, 'stopped');
  assert.equal((await damaged.status()).state, 'stopped');
});

test('a missing QEMU is reported as such', async () => {
  const machine = await state.machines.create('no-qemu', { kernelPath });
  // qemu-img stays reachable, so it is QEMU itself that is missing.
  const bin = await mkdtemp(join(state.root, 'bin-'));
  await symlink('/usr/bin/qemu-img', join(bin, 'qemu-img'));
  const path = process.env.PATH;
  process.env.PATH = bin;
  try {
    await rejectsWith(machine.start(), 'hypervisor-missing', /qemu-system-i386/);
  } finally {
    process.env.PATH = path;
  }
  assert.equal((await machine.status()).state, 'stopped');
});

test('a libvirt daemon that cannot be reached is a clear error, and status still answers', async () => {
  const uri = `qemu+unix:///system?socket=${join(state.root, 'no-libvirtd.sock')}`;
  const machine = await state.machines.create('no-daemon', { kernelPath, driver: 'libvirt', uri });
  const status = await machine.status();
  assert.equal(status.state, 'stopped');
  assert.match(status.reason ?? '', /cannot reach the hypervisor/);
  await rejectsWith(machine.start(), 'hypervisor-failed', /is libvirtd running/);
  assert.equal((await machine.status()).state, 'stopped');
  await state.machines.remove('no-daemon').catch(() => undefined);
});

test('two processes starting one machine: one runs it, the other is told it is busy', async () => {
  await state.machines.create('contested', { kernelPath });
  const other = new Machines({ root: join(state.root, 'machines') });
  try {
    const results = await Promise.allSettled([
      (await state.machines.get('contested')).start(),
      (await other.get('contested')).start(),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results));
    const refused = results.find((r) => r.status === 'rejected');
    assert.ok(
      refused && (isVmError(refused.reason, 'machine-busy') || isVmError(refused.reason, 'bad-state')),
      String(refused?.reason),
    );
    assert.equal((await (await other.get('contested')).status()).state, 'running');
  } finally {
    other.dispose();
    await (await state.machines.get('contested')).powerOff();
  }
});

test('several machines run at once, each with its own console', async () => {
  const names = ['many-a', 'many-b'];
  const machines = await Promise.all(names.map((n) => state.machines.create(n, { kernelPath })));
  try {
    await Promise.all(machines.map((m) => m.start()));
    for (const m of machines) {
      const recorder = new ConsoleRecorder(await m.attachConsole());
      await recorder.waitFor(/tick \d+\n/, 0, BOOT_DEADLINE_MS);
      recorder.attachment.dispose();
    }
    const listed = await state.machines.list();
    for (const name of names) assert.equal(listed.find((s) => s.name === name)?.state, 'running');
  } finally {
    await Promise.all(machines.map((m) => m.powerOff()));
  }
});

test('a console view that acknowledges nothing does not hold up the guest, cost another view a byte or mangle the log', async () => {
  // Pausing the read for a slow view made QEMU's serial port drop output after a few retries:
  // 12,465 of 20,000 lines never reached anyone. QEMU's own logfile doubled bytes (340 to 596
  // mangled lines) even with a reader that kept up; the console keeper writes the log now.
  const machine = await state.machines.create('flood', { kernelPath });
  try {
    await machine.start();
    const slow = new ConsoleRecorder(await machine.attachConsole({ ack: 'manual' }));
    const all = new ConsoleRecorder(await machine.attachConsole({ ack: 'auto' }));
    await all.waitFor(/tick \d+\n/, 0, BOOT_DEADLINE_MS);
    // The guest ran only once the keeper read its console: its first line is in the log.
    assert.match(await machine.consoleLog(), /^tick-kernel up\n/m);
    const from = all.text.length;
    all.attachment.write('F');
    await all.waitFor(/line 20000 of 20000\n/, from, BOOT_DEADLINE_MS);
    const exactlyOnce = (what: string, text: string) => {
      const lines = text.split('\n').filter((l) => /line|of 20000/.test(l));
      const malformed = lines.filter((l) => !/^line \d+ of 20000$/.test(l));
      assert.deepEqual(malformed.slice(0, 5), [], `${malformed.length} lines mangled in ${what}`);
      assert.deepEqual(
        lines.map((l) => Number(/^line (\d+)/.exec(l)![1])),
        Array.from({ length: 20000 }, (_, i) => i + 1),
        `lines lost or doubled in ${what}`,
      );
    };
    exactlyOnce('the view', all.text.slice(from));
    exactlyOnce('the log', await machine.consoleLog(4 * 1024 * 1024));
    // The slow view was fed until it fell behind, then skipped; caught up, it is told how much.
    assert.ok(!slow.text.includes('line 20000 of 20000'), 'the slow view was sent everything');
    slow.attachment.ack(slow.text.length * 2);
    await slow.waitFor(/bytes not shown here/, 0, 10_000);
    slow.attachment.ack(slow.text.length * 2);
    await slow.waitFor(/tick \d+\n/, slow.text.length, 10_000);
    slow.attachment.dispose();
    all.attachment.dispose();
  } finally {
    await machine.powerOff();
  }
});

test('a console attached while the guest prints has its first line and every line after it once', async () => {
  // Each attachment comes from a process of its own (a reloaded studio, `phantom console`): its
  // scroll-back is the log up to where its live stream starts. Read before connecting, the log
  // left out what the guest printed during the connect, the kernel's banner among it.
  const machine = await state.machines.create('reattach', { kernelPath });
  const others: Machines[] = [];
  const views: ConsoleRecorder[] = [];
  try {
    await machine.start();
    const first = new ConsoleRecorder(await machine.attachConsole());
    views.push(first);
    await first.waitFor(/tick \d+\n/, 0, BOOT_DEADLINE_MS);
    first.attachment.write('F');
    for (let line = 1; line <= 20000; line += 2500) {
      await first.waitFor(new RegExp(`^line ${line} of 20000\n`, 'm'), 0, BOOT_DEADLINE_MS);
      const other = new Machines({ root: join(state.root, 'machines') });
      others.push(other);
      views.push(new ConsoleRecorder(await (await other.get('reattach')).attachConsole()));
    }
    await Promise.all(views.map((v) => v.waitFor(/line 20000 of 20000\n/, 0, BOOT_DEADLINE_MS)));
    // Ticks go on after the flood: a tick printed once every view has it closes the comparison.
    const { tick } = /tick (?<tick>\d+)\n$/.exec(
      (await first.waitFor(/[\s\S]*line 20000 of 20000\n[\s\S]*tick \d+\n/))[0],
    )!.groups!;
    await Promise.all(views.map((v) => v.waitFor(new RegExp(`^tick ${tick}\n`, 'm'))));
    const upTo = (text: string) => text.slice(0, text.indexOf(`tick ${tick}\n`));
    const log = upTo(await machine.consoleLog(4 * 1024 * 1024));
    const failures = views.flatMap((view, i) => {
      const text = upTo(view.text);
      if (text === log) return [];
      const lines = [...text.matchAll(/^line (\d+) of 20000$/gm)].map((m) => Number(m[1]));
      const lost = 20000 - new Set(lines).size;
      const doubled = lines.length - new Set(lines).size;
      const banners = text.split('tick-kernel up\n').length - 1;
      return [`view ${i}: ${banners} banners, ${lost} flood lines lost, ${doubled} doubled`];
    });
    // Under 1 MiB, the whole log fits every scroll-back: each view is the log.
    assert.ok(log.length < 1024 * 1024 && log.split('tick-kernel up\n').length === 2, log.slice(0, 200));
    assert.deepEqual(failures, [], `${failures.length} of ${views.length} views differ from the log`);
  } finally {
    for (const view of views) view.attachment.dispose();
    for (const other of others) other.dispose();
    await machine.powerOff();
  }
});

test('a stop made by another process is seen as a stop, not a crash', async () => {
  const machine = await state.machines.create('shared', { kernelPath });
  await machine.start();
  const other = new Machines({ root: join(state.root, 'machines') });
  try {
    await (await other.get('shared')).stop();
  } finally {
    other.dispose();
  }
  assert.equal((await machine.status()).state, 'stopped');
});

test('the Phantom kernel halting at boot (a store it cannot mount) is crashed within 2 s, with its last words', async () => {
  const phantomKernel = join(SOURCE_ROOT, 'kernel-src/build/phantom.elf');
  const machine = await state.machines.create('no-store', { kernelPath: phantomKernel });
  const crashed = whenCrashed(machine);
  // The start says which accelerator it chose: asking the status afterwards races the halt.
  const { accelerator } = await machine.start();
  assert.match(accelerator.why, /^(KVM|TCG)|^PHANTOM_ACCEL/);
  // The kernel's last line lands in the console log the moment it halts: the clock starts there.
  let halted = 0;
  assert.ok(
    await pollUntil(
      async () => {
        halted = performance.now();
        return (await readFile(machine.dir.consoleLog, 'utf8').catch(() => '')).includes('halted');
      },
      BOOT_DEADLINE_MS,
      20,
    ),
    'the kernel never halted',
  );
  const at = await crashed;
  assert.ok(at - halted < 2000, `crashed ${Math.round(at - halted)} ms after the kernel halted`);
  const status = await machine.status();
  assert.equal(status.state, 'crashed');
  assert.match(status.reason ?? '', /^the kernel halted: it panicked or met an error/);
  assert.match(status.reason ?? '', /console: .*"boot: cannot continue" "halted"/);
  assert.equal(status.accelerator, undefined, 'a crashed machine runs under nothing');
});

test('what another process does to machines is reported here while the folder is watched', async () => {
  const watching = state.machines.watch();
  await watching.ready;
  const other = new Machines({ root: join(state.root, 'machines') });
  /**
   * Resolves with the first value `event` fires that `wanted` accepts, or rejects after 60 s: the
   * deadline covers the other process's action too (a power cut waits for QEMU to exit), which a
   * loaded host can make slow; a change reported at all is reported within a poll.
   */
  const next = <T>(
    event: (listener: (value: T) => void) => { dispose(): void },
    wanted: (value: T) => boolean,
  ) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not reported within 60 s: ${wanted}`)), 60_000);
      const subscription = event((value) => {
        if (!wanted(value)) return;
        clearTimeout(timer);
        subscription.dispose();
        resolve(value);
      });
    });
  try {
    const made = next(state.machines.onDidChangeMachines, (names) => names.includes('elsewhere'));
    const elsewhere = await other.create('elsewhere', { kernelPath });
    await made;
    const here = await state.machines.get('elsewhere');
    assert.equal((await here.status()).state, 'stopped');
    // A start made elsewhere is a state change here (it was once reported as nothing at all).
    const running = next(
      state.machines.onDidChangeState,
      (c) => c.name === 'elsewhere' && c.state === 'running',
    );
    await elsewhere.start();
    await running;
    const checkpointed = next(state.machines.onDidChangeCheckpoints, (name) => name === 'elsewhere');
    await elsewhere.checkpoints.create('over-there');
    await checkpointed;
    assert.equal((await here.checkpoints.list()).current, 'over-there');
    const stopped = next(
      state.machines.onDidChangeState,
      (c) => c.name === 'elsewhere' && c.state === 'stopped',
    );
    await elsewhere.powerOff();
    await stopped;
    const removed = next(state.machines.onDidChangeMachines, (names) => !names.includes('elsewhere'));
    await other.remove('elsewhere');
    await removed;
    await rejectsWith(state.machines.get('elsewhere'), 'no-such-machine');
    // Made anew under the same name by the other process: this one opens the new machine.
    await other.create('elsewhere', { kernelPath, memoryMiB: 96 });
    assert.equal((await state.machines.get('elsewhere')).config.memoryMiB, 96);
  } finally {
    other.dispose();
    watching.dispose();
  }
});

test('a store that cannot take another generation: the machine is crashed, and the reason says persistence would be lost', async () => {
  // A sound generation 0 whose superblock says the newest number ever committed is 0xfffffffe
  // (issue 14, item 9): it mounts, but no number is left for the next commit.
  const idle = {
    name: '.t.Idle',
    fields: [],
    methods: [
      { name: '<init>', argc: 1, code: 'RET_VOID' },
      { name: 'run', argc: 1, returns: true, consts: [], code: 'PUSH_INT 1\nRET' },
    ],
  };
  const space = buildSpace(program([...systemClasses(), idle]), {
    spaceBytes: S.SPACE_SIZE_MIN,
    mainClasses: ['.t.Idle'],
  });
  const disk = storeDiskOf(writeGeneration0(space, { diskBytes: 512 * S.BLOCK_SIZE }));
  disk.set32(S.SB_BLOCK_A, S.SB_NEWEST_GEN, 0xfffffffe);
  disk.sealSuperblock(S.SB_BLOCK_A);
  const imagePath = join(state.root, 'no-number-left.img');
  await writeFile(imagePath, disk.bytes);
  const machine = await state.machines.create('no-number-left', {
    kernelPath: join(SOURCE_ROOT, 'kernel-src/build/phantom.elf'),
    imagePath,
    snapshotIntervalMs: 200,
  });
  await machine.start();
  assert.ok(
    await pollUntil(async () => (await machine.status()).state === 'crashed', BOOT_DEADLINE_MS),
    'the machine ran on without persistence',
  );
  const status = await machine.status();
  assert.match(status.reason ?? '', /^the kernel halted: it panicked or met an error/);
  assert.match(
    status.reason ?? '',
    /console: .*"snapshot: the store cannot take another generation: no generation number is left \(STORE_ENONUMBER\)" "snapshot: stopping the machine rather than run without persistence"/,
  );
});
