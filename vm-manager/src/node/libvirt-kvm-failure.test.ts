/**
 * A guest that a remote host's KVM cannot run, through libvirt: QEMU stops it with "KVM internal
 * error" and libvirt shows the domain paused, for no reason it knows. The machine must show
 * crashed with libvirt's reason, not paused; a pause the user asked for must stay paused, and cost
 * one ssh login, not one a poll.
 *
 * The far host is this one, through the private sshd (test-support/sshd.ts), with PHANTOM_ACCEL=kvm
 * as a user of a remote host would have it: these machines' /dev/kvm (the PVM software hypervisor)
 * is offered by libvirt but cannot run an i386 guest's return from an interrupt, which the tick
 * kernel makes on 'I'. On a host whose KVM runs it, the guest says "interrupt returned" and the
 * test is skipped, saying so; without /dev/kvm it is skipped before it starts.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
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
import { KVM_DEVICE } from './accelerator.js';
import type { Machine } from './machines.js';
import { WATCH_INTERVAL_MS } from './machines.js';

/** How soon after the guest's death the machine must say crashed (the README's "about a second", with room for ssh). */
const CRASHED_WITHIN_MS = 5000;
/** Status reads while paused: each asks libvirt for the domain's state, as the studio's poll does. */
const POLLS_WHILE_PAUSED = 5;

const skip =
  libvirtSkipReason() ||
  sshdSkipReason() ||
  (!existsSync(KVM_DEVICE) && `there is no ${KVM_DEVICE} here for libvirt to offer`);
if (skip) console.log(`# libvirt KVM failure skipped: ${skip}`);

describe('libvirt over ssh: a KVM that cannot run the guest', { skip, timeout: 5 * BOOT_DEADLINE_MS }, () => {
  let state: TestState;
  let sshd: PrivateSshd;
  let machine: Machine;
  let recorder: ConsoleRecorder;

  before(async () => {
    state = await temporaryState();
    const kernelPath = await buildTickKernel(state.root);
    sshd = await startPrivateSshd(kernelPath);
    // Put back by sshd.stop(), with the rest of what the sshd set.
    process.env.PHANTOM_ACCEL = 'kvm';
    machine = await state.machines.create(`kvm-failure-${process.pid}`, {
      driver: 'libvirt',
      uri: sshd.libvirtUri('system'),
      kernelPath,
      memoryMiB: 64,
    });
    const started = await machine.start();
    assert.equal(started.accelerator.name, 'kvm', started.accelerator.why);
    recorder = new ConsoleRecorder(await machine.attachConsole());
    await recorder.waitFor(/tick \d+\n/);
  });

  after(async () => {
    recorder?.attachment.dispose();
    await state?.cleanup();
    await sshd?.stop();
  });

  test('a pause the user asks for stays paused, and libvirt is asked why once', async () => {
    await machine.pause();
    const loginsBefore = await sshd.logins();
    for (let poll = 0; poll < POLLS_WHILE_PAUSED; poll++) {
      const status = await machine.status();
      assert.equal(status.state, 'paused', status.reason);
      assert.equal(status.reason, undefined);
    }
    const logins = (await sshd.logins()) - loginsBefore;
    console.log(`# ${POLLS_WHILE_PAUSED} status reads while paused cost ${logins} ssh login(s)`);
    assert.ok(logins <= 1, `${POLLS_WHILE_PAUSED} status reads while paused cost ${logins} ssh logins`);
    await machine.resume();
    assert.equal((await machine.status()).state, 'running');
  });

  test("a guest stopped by KVM's internal error is crashed, not paused, with libvirt's reason", async (t) => {
    const from = recorder.text.length;
    const crashed = whenCrashed(machine);
    const sent = performance.now();
    recorder.attachment.write('I');
    const outcome = await Promise.race([
      crashed.then((at) => ({ crashedAfterMs: at - sent })),
      recorder.waitFor(/interrupt returned\n/, from, CRASHED_WITHIN_MS).then(
        () => 'kvm-works' as const,
        () => undefined,
      ),
    ]);
    if (outcome === 'kvm-works') {
      t.skip(`the KVM here runs the guest's return from an interrupt: there is no internal error to see`);
      return;
    }
    const status = await machine.status();
    assert.ok(
      outcome,
      `the machine was ${status.state}, not crashed, ${CRASHED_WITHIN_MS} ms after the guest died`,
    );
    console.log(
      `# crashed ${Math.round(outcome.crashedAfterMs)} ms after the guest died (polled every ${WATCH_INTERVAL_MS} ms)`,
    );
    assert.ok(outcome.crashedAfterMs < CRASHED_WITHIN_MS);
    assert.equal(status.state, 'crashed');
    assert.match(
      status.reason ?? '',
      /^QEMU stopped the guest by itself \(libvirt: paused \(unknown\)\), as on an internal error/,
    );
    assert.match(status.reason ?? '', /console: .*"interrupting now"/);
  });
});
