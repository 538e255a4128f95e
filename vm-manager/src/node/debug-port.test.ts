/**
 * The debug channel's virtio-serial port on machines each driver starts (QEMU directly, the local
 * libvirtd, and that libvirtd through a remote URI): the kernel finds the port and serves on it,
 * and the channel broker, which is offered both the port and serial port 2, answers its clients
 * through the port; offered the two the other way round, it still keeps the one the kernel answers
 * on (as it keeps serial port 2 for a kernel without the port's driver). Needs kernel-src/build/phantom.elf and qemu-system-i386; the libvirt runs are
 * skipped, saying why, when libvirt (or, for the remote run, openssh-server) is not installed.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEBUG_PORT_NAME } from '@phantom/inspector/common/debug-protocol.js';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import { DEFAULT_LIBVIRT_URI, type DriverName } from '../common/api.js';
import { imageMachineConfig } from '../common/image-definition.js';
import {
  BOOT_DEADLINE_MS,
  libvirtSkipReason,
  type TestState,
  temporaryState,
} from '../test-support/fixtures.js';
import { type PrivateSshd, sshdSkipReason, startPrivateSshd } from '../test-support/sshd.js';
import { build, SOURCE_ROOT } from './build.js';
import { ChannelBroker } from './channel-broker.js';
import type { Machine } from './machines.js';
import { pollUntil } from './process-watch.js';

const kernelPath = join(SOURCE_ROOT, 'kernel-src/build/phantom.elf');
const missing = existsSync(kernelPath) ? undefined : `${kernelPath} is missing: build the kernel first`;

const VARIANTS: { label: string; driver: DriverName; overSsh: boolean }[] = [
  { label: 'qemu', driver: 'qemu', overSsh: false },
  { label: 'libvirt', driver: 'libvirt', overSsh: false },
  { label: 'libvirt-ssh', driver: 'libvirt', overSsh: true },
];

for (const { label, driver, overSsh } of VARIANTS) {
  const skip =
    missing || (driver === 'libvirt' ? libvirtSkipReason() || (overSsh && sshdSkipReason()) : false);
  if (skip) console.log(`# debug port (${label}) skipped: ${skip}`);

  describe(`debug port: ${label}`, { skip, timeout: 4 * BOOT_DEADLINE_MS }, () => {
    let state: TestState;
    let machine: Machine;
    let sshd: PrivateSshd | undefined;

    before(async () => {
      state = await temporaryState();
      let uri = DEFAULT_LIBVIRT_URI;
      if (overSsh) {
        sshd = await startPrivateSshd(kernelPath);
        uri = sshd.libvirtUri('system');
      }
      const built = await build({ image: 'counter' }, () => undefined, {
        sourceRoot: SOURCE_ROOT,
        outDir: join(state.root, 'build'),
      });
      // The pid keeps two worktrees' runs on one libvirtd from sharing a domain name.
      machine = await state.machines.create(`port-${label}-${process.pid}`, {
        driver,
        uri,
        kernelPath: built.kernelPath,
        ...(built.imagePath ? { imagePath: built.imagePath } : {}),
        ...(built.definition ? imageMachineConfig(built.definition) : {}),
      });
      await machine.start();
    });

    after(async () => {
      await state?.cleanup();
      await sshd?.stop();
    });

    test('a broker offered a silent channel first keeps the one the kernel answers on', async () => {
      // Serial port 2 first: this kernel does not read it, as an old kernel would not read the port.
      const broker = await ChannelBroker.start({
        kernel: [machine.dir.debugSocket, machine.dir.debugPortSocket],
        socket: join(machine.dir.runDir, 'reversed.sock'),
        lock: join(machine.dir.runDir, 'reversed.lock'),
      });
      const closed = new Promise<void>((resolve) => broker.onDidClose(() => resolve()));
      try {
        const { client } = await DebugClient.connect(join(machine.dir.runDir, 'reversed.sock'), 30_000);
        try {
          assert.ok((await client.stats()).threads >= 1);
        } finally {
          client.close();
        }
        assert.equal(broker.channel, machine.dir.debugPortSocket);
      } finally {
        broker.close();
        await closed;
      }
    });

    test('the kernel serves the channel on the virtio port and the broker uses it', async () => {
      assert.ok(existsSync(machine.dir.debugPortSocket), 'the machine has the port socket');
      assert.ok(existsSync(machine.dir.debugSocket), 'and serial port 2, the fallback');
      const stats = await machine.channel.use(({ client }) => client.stats());
      assert.ok(stats.threads >= 1, `threads ${stats.threads}`);
      const printed = await machine.consoleLog();
      assert.match(printed, new RegExp(`debug: protocol 1 on virtio-serial port ${DEBUG_PORT_NAME}`));
      const log = () => readFileSync(machine.dir.channelBrokerLog, 'utf8');
      assert.ok(
        await pollUntil(() => Promise.resolve(/the kernel answers on /.test(log())), 10_000),
        `the broker chose a channel:\n${log()}`,
      );
      assert.match(log(), new RegExp(`the kernel answers on ${machine.dir.debugPortSocket}$`, 'm'));
    });
  });
}
