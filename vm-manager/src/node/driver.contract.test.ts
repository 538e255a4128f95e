/**
 * One contract, two drivers: the same journey (start, console, pause, resume, checkpoints,
 * revert, crash, restart, stop, remove) against QEMU directly, against the local libvirtd, and
 * against the same libvirtd through a remote URI (`qemu+ssh://`, over a private sshd on
 * 127.0.0.1). The libvirt runs are skipped, with the reason printed, only when libvirt (or, for
 * the remote run, openssh-server) is not installed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { DEFAULT_LIBVIRT_URI, type DriverName } from '../common/api.js';
import { isVmError } from '../common/errors.js';
import {
  BOOT_DEADLINE_MS,
  buildTickKernel,
  ConsoleRecorder,
  libvirtSkipReason,
  type TestState,
  temporaryState,
  whenCrashed,
} from '../test-support/fixtures.js';
import { type PrivateSshd, sshdSkipReason, startPrivateSshd } from '../test-support/sshd.js';
import { domainName } from './libvirt-driver.js';
import type { Machine } from './machines.js';
import { pollUntil } from './process-watch.js';

const execFileAsync = promisify(execFile);

/**
 * The pid of the QEMU running the machine, to kill it behind the driver's back. The remote
 * variant's far host is this host, so libvirt's pid file is here too.
 */
function hypervisorPid(machine: Machine, driver: DriverName): number {
  const file = driver === 'qemu' ? machine.dir.pidFile : `/run/libvirt/qemu/${domainName(machine.name)}.pid`;
  return Number(readFileSync(file, 'utf8').trim());
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err) => isVmError(err) && err.code === code);
}

interface Variant {
  label: string;
  driver: DriverName;
  /** Reach the local libvirtd through ssh, as a remote host would be reached. */
  overSsh: boolean;
}

const VARIANTS: Variant[] = [
  { label: 'qemu', driver: 'qemu', overSsh: false },
  { label: 'libvirt', driver: 'libvirt', overSsh: false },
  { label: 'libvirt-ssh', driver: 'libvirt', overSsh: true },
];

for (const { label, driver, overSsh } of VARIANTS) {
  const skip = driver === 'libvirt' ? libvirtSkipReason() || (overSsh && sshdSkipReason()) : false;
  if (skip) console.log(`# driver contract (${label}) skipped: ${skip}`);

  describe(`driver contract: ${label}`, { skip, timeout: 10 * BOOT_DEADLINE_MS }, () => {
    let state: TestState;
    let machine: Machine;
    let recorder: ConsoleRecorder;
    let sshd: PrivateSshd | undefined;
    let uri = DEFAULT_LIBVIRT_URI;
    let kernelPath: string;

    before(async () => {
      state = await temporaryState();
      kernelPath = await buildTickKernel(state.root);
      if (overSsh) {
        sshd = await startPrivateSshd(kernelPath);
        uri = sshd.libvirtUri('system');
      }
      // The pid keeps two worktrees' test runs on one libvirtd from sharing a domain name.
      machine = await state.machines.create(`contract-${label}-${process.pid}`, {
        driver,
        uri,
        kernelPath,
        memoryMiB: 64,
      });
    });

    after(async () => {
      await state.cleanup();
      await sshd?.stop();
    });

    test('a new machine is stopped, with a disk and its config', async () => {
      assert.equal((await machine.status()).state, 'stopped');
      assert.ok(existsSync(machine.dir.disk));
      assert.equal(machine.config.driver, driver);
      if (driver === 'libvirt') assert.equal(machine.config.uri, uri);
    });

    test('starts, and its console shows the guest running', async () => {
      const changes: string[] = [];
      const subscription = machine.onDidChangeState((c) => changes.push(c.state));
      await machine.start();
      subscription.dispose();
      assert.deepEqual(changes, ['starting', 'running']);
      assert.equal((await machine.status()).state, 'running');
      recorder = new ConsoleRecorder(await machine.attachConsole());
      await recorder.waitFor(/tick [1-9]\d*\n/);
    });

    test('the console takes input', async () => {
      const from = recorder.text.length;
      recorder.attachment.write('x');
      await recorder.waitFor(/echo: x/, from);
    });

    test('pauses and resumes', async () => {
      await machine.pause();
      assert.equal((await machine.status()).state, 'paused');
      await machine.resume();
      assert.equal((await machine.status()).state, 'running');
      const from = recorder.text.length;
      await recorder.waitFor(/tick \d+\n/, from);
    });

    test('a checkpoint records the console tail and becomes current', async () => {
      const checkpoint = await machine.checkpoints.create('first', 'after boot');
      assert.match(checkpoint.consoleTail, /tick \d+/);
      assert.equal(checkpoint.machineState, 'running');
      assert.equal(checkpoint.parent, null);
      const tree = await machine.checkpoints.list();
      assert.equal(tree.current, 'first');
      await expectCode(machine.checkpoints.create('first'), 'checkpoint-taken');
      await expectCode(machine.checkpoints.create('../bad'), 'bad-input');
    });

    test('a revert goes back in time and keeps the present as an automatic checkpoint', async () => {
      const checkpoint = await machine.checkpoints.get('first');
      const tickAtCheckpoint = Number(/tick (\d+)\n(?![\s\S]*tick \d+\n)/.exec(checkpoint.consoleTail)?.[1]);
      assert.ok(Number.isInteger(tickAtCheckpoint));
      const later = tickAtCheckpoint + 10;
      await recorder.waitFor(new RegExp(`tick ${later}\\n`));
      const from = recorder.text.length;
      const result = await machine.checkpoints.revert('first', { autoCheckpoint: 'take' });
      assert.equal(result.revertedTo, 'first');
      assert.ok(result.autoCheckpoint);
      // The counter lives in guest RAM: after the revert the guest counts again from the
      // checkpoint. The console may still deliver ticks from before the revert after the call
      // returns (a remote console lags), so look for the drop, not for the next tick.
      const drop = await recorder.waitForTickDrop(from);
      assert.ok(
        drop.after > tickAtCheckpoint,
        `after the revert the guest printed tick ${drop.after}, but the checkpoint's console showed tick ${tickAtCheckpoint}`,
      );
      assert.equal((await machine.status()).state, 'running');
      const tree = await machine.checkpoints.list();
      assert.equal(tree.current, 'first');
      const first = tree.roots.find((r) => r.checkpoint.name === 'first');
      assert.deepEqual(
        first?.children.map((c) => c.checkpoint.name),
        [result.autoCheckpoint],
      );
    });

    test('a revert while paused leaves a running checkpoint running', async () => {
      await machine.pause();
      await machine.checkpoints.revert('first', { autoCheckpoint: 'skip' });
      assert.equal((await machine.status()).state, 'running');
    });

    test('reverting to a checkpoint that does not exist is a clear error', async () => {
      await expectCode(machine.checkpoints.revert('nope', { autoCheckpoint: 'skip' }), 'no-such-checkpoint');
    });

    test('detach and re-attach keep the scroll-back', async () => {
      const seen = recorder.text;
      recorder.attachment.dispose();
      const again = new ConsoleRecorder(await machine.attachConsole());
      assert.ok(again.text.includes(seen.slice(-1000)), 'the re-attachment lacks what the first one saw');
      await again.waitFor(/tick \d+\n/, again.text.length);
      recorder = again;
    });

    test('deleting a checkpoint re-parents its children', async () => {
      const autoName = (await machine.checkpoints.list()).roots[0]!.children[0]!.checkpoint.name;
      await machine.checkpoints.delete('first');
      const tree = await machine.checkpoints.list();
      assert.deepEqual(
        tree.roots.map((r) => r.checkpoint.name),
        [autoName],
      );
      const { stdout } = await execFileAsync('qemu-img', ['info', '-U', '--output=json', machine.dir.disk]);
      const tags = ((JSON.parse(stdout) as { snapshots?: { name: string }[] }).snapshots ?? []).map(
        (s) => s.name,
      );
      assert.deepEqual(tags, [autoName]);
    });

    test('a hypervisor that dies marks the machine crashed and leaves its disk alone', async () => {
      process.kill(hypervisorPid(machine, driver), 'SIGKILL');
      assert.ok(
        await pollUntil(async () => (await machine.status()).state === 'crashed', BOOT_DEADLINE_MS),
        'the machine was not marked crashed',
      );
      assert.match(
        (await machine.status()).reason ?? '',
        /^(QEMU exited unexpectedly|libvirt shut domain .* off).*; console: .*"tick \d+"/,
      );
      await execFileAsync('qemu-img', ['check', '-q', '-U', machine.dir.disk]);
      assert.ok((await machine.checkpoints.list()).roots.length === 1);
    });

    test('a crashed machine starts again and stops cleanly', async () => {
      await machine.start();
      const again = new ConsoleRecorder(await machine.attachConsole());
      await again.waitFor(/tick \d+\n/, again.text.length);
      again.attachment.dispose();
      await machine.stop();
      assert.equal((await machine.status()).state, 'stopped');
      await expectCode(machine.attachConsole(), 'bad-state');
      const someCheckpoint = (await machine.checkpoints.list()).roots[0]!.checkpoint.name;
      await expectCode(machine.checkpoints.revert(someCheckpoint, { autoCheckpoint: 'skip' }), 'bad-state');
      assert.equal((await machine.status()).state, 'stopped');
    });

    test('a stopped machine is checkpointed by its disk; renamed, reverted to and deleted by its tag', async () => {
      assert.equal((await machine.status()).state, 'stopped');
      const withMemory = (await machine.checkpoints.list()).roots[0]!.checkpoint.name;
      const taken = await machine.checkpoints.create('off', 'while stopped');
      assert.equal(taken.machineState, 'stopped');
      const sizes = await machine.checkpoints.sizes();
      assert.equal(sizes.get('off'), 0, 'a stopped machine has no memory to save');
      assert.ok((sizes.get(withMemory) ?? 0) > 64 * 1024, `saved memory: ${sizes.get(withMemory)} bytes`);
      const renamed = await machine.checkpoints.rename('off', 'powered-off');
      assert.equal(renamed.tag, 'off');
      assert.equal(
        (await machine.checkpoints.describe('powered-off', 'said later')).description,
        'said later',
      );
      await expectCode(machine.checkpoints.rename('powered-off', withMemory), 'checkpoint-taken');
      // From a running machine: the present is kept, then the machine is stopped and its disk put back.
      await machine.start();
      const result = await machine.checkpoints.revert('powered-off', { autoCheckpoint: 'take' });
      assert.equal(result.state, 'stopped');
      assert.equal((await machine.status()).state, 'stopped');
      assert.equal((await machine.checkpoints.get(result.autoCheckpoint!)).machineState, 'running');
      assert.equal((await machine.checkpoints.list()).current, 'powered-off');
      assert.deepEqual(await machine.checkpoints.delete('powered-off'), { freedBytes: 0 });
      const autoFreed = (await machine.checkpoints.delete(result.autoCheckpoint!)).freedBytes ?? 0;
      assert.ok(autoFreed > 64 * 1024, `deleting a running machine's checkpoint freed ${autoFreed} bytes`);
      const { stdout } = await execFileAsync('qemu-img', ['info', '-U', '--output=json', machine.dir.disk]);
      const tags = ((JSON.parse(stdout) as { snapshots?: { name: string }[] }).snapshots ?? []).map(
        (s) => s.name,
      );
      assert.deepEqual(tags, [withMemory]);
    });

    /**
     * Starts the machine, makes its guest die by sending `byte` (the tick kernel's '!' or 'P'),
     * and resolves with the crashed status and how long after the byte the machine said so.
     */
    async function dieBy(byte: string): Promise<{ reason: string; ms: number }> {
      await machine.start();
      const watched = new ConsoleRecorder(await machine.attachConsole());
      await watched.waitFor(/tick \d+\n/, watched.text.length);
      const crashed = whenCrashed(machine);
      const sent = performance.now();
      watched.attachment.write(byte);
      const at = await Promise.race([
        crashed,
        new Promise<number>((_, reject) =>
          setTimeout(() => reject(new Error('the machine was not marked crashed within 10 s')), 10_000),
        ),
      ]);
      watched.attachment.dispose();
      const status = await machine.status();
      assert.equal(status.state, 'crashed');
      return { reason: status.reason ?? '', ms: at - sent };
    }

    /**
     * The qemu driver sees QEMU's own state, so it must say "crashed" within 2 s of the death.
     * Through libvirt the time is mostly libvirt's own (after a reset it tears QEMU down before it
     * reports the domain off: 2.0-2.7 s measured here on a quiet host, 6 s at load 11; over ssh
     * more), so those runs check what is reported and print how long it took.
     */
    function checkDeadline(ms: number): void {
      if (driver === 'qemu') assert.ok(ms < 2000, `crashed only ${Math.round(ms)} ms after the guest died`);
      else console.log(`# ${label}: crashed ${Math.round(ms)} ms after the guest died`);
    }

    test('a guest that triple-faults is crashed at once, with its last console lines as the reason', async () => {
      const { reason, ms } = await dieBy('!');
      checkDeadline(ms);
      assert.match(reason, /console: .*"triple-faulting now"/);
      assert.match(
        reason,
        driver === 'qemu'
          ? /^the CPU triple-faulted.*; QEMU: .*"Triple fault"/
          : /^libvirt shut domain .* off: the guest reset itself/,
      );
    });

    test('a guest that announces a panic is crashed at once, and says so', async () => {
      const { reason, ms } = await dieBy('P');
      checkDeadline(ms);
      assert.match(reason, /^the kernel halted: it panicked/);
      assert.match(reason, /console: .*"panicking now"$|console: .*"panicking now";/);
      assert.equal(await pollUntil(async () => (await machine.status()).state === 'crashed', 2000), true);
    });

    test('remove deletes the machine and what the hypervisor kept', async () => {
      await state.machines.remove(machine.name);
      await expectCode(state.machines.get(machine.name), 'no-such-machine');
      assert.equal(existsSync(machine.dir.path), false);
      if (driver === 'libvirt') {
        await assert.rejects(execFileAsync('virsh', ['-c', uri, 'dominfo', domainName(machine.name)]));
      }
    });

    test('a kernel missing where the hypervisor runs is a clear error, and nothing starts', {
      skip: driver === 'qemu' ? 'the qemu driver runs on this host, where create() checks the kernel' : false,
    }, async () => {
      const movedKernel = join(state.root, 'moved-kernel.elf');
      await copyFile(kernelPath, movedKernel);
      const lost = await state.machines.create(`lost-${label}-${process.pid}`, {
        driver,
        uri,
        kernelPath: movedKernel,
      });
      await rm(movedKernel);
      await assert.rejects(lost.start(), (err) => {
        assert.ok(isVmError(err, 'bad-input'), `expected bad-input, got ${String(err)}`);
        assert.match(err.message, new RegExp(`the kernel ${movedKernel} does not exist`));
        if (overSsh) assert.match(err.message, /remote libvirt host needs/);
        return true;
      });
      assert.equal((await lost.status()).state, 'stopped');
      await state.machines.remove(lost.name);
    });
  });
}
