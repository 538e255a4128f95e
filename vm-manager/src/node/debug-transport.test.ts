import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { machineConfigSchema } from '../common/api.js';
import { chooseDebugTransport, listsDevice, VIRTIO_SERIAL_DEVICE } from './debug-transport.js';
import { MachineDir } from './machine-dir.js';
import { qemuArguments } from './qemu-driver.js';

/** A stand-in QEMU that logs its arguments and prints `devices` for -device help (or fails). */
async function fakeQemu(parent: string, devices: string | undefined): Promise<{ path: string; log: string }> {
  const dir = await mkdtemp(join(parent, 'qemu-'));
  const path = join(dir, 'qemu-system-i386');
  const log = join(dir, 'calls.log');
  const help = devices === undefined ? 'echo "no such machine" >&2; exit 1' : `cat <<'END'\n${devices}\nEND`;
  await writeFile(
    path,
    `#!/bin/sh\n[ "$1" = --version ] && { echo "QEMU emulator version 9.9"; exit 0; }\necho "$*" >> '${log}'\n${help}\n`,
  );
  await chmod(path, 0o755);
  return { path, log };
}

const WITH = `Controller/Bridge/Hub devices:\nname "pci-bridge", bus PCI\n\nMisc devices:\nname "${VIRTIO_SERIAL_DEVICE}", bus PCI, alias "virtio-serial"\nname "virtserialport", bus virtio-serial-bus`;
const WITHOUT =
  'Misc devices:\nname "virtio-serial-device", bus virtio-bus\nname "virtserialport", bus virtio-serial-bus';

test('listsDevice finds a device by its exact name, not a longer one', () => {
  assert.equal(listsDevice(WITH, VIRTIO_SERIAL_DEVICE), true);
  assert.equal(listsDevice(WITHOUT, VIRTIO_SERIAL_DEVICE), false);
});

test('a QEMU with virtio-serial-pci gets the port; the answer is cached per QEMU', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'debug-transport-'));
  try {
    const { path, log } = await fakeQemu(dir, WITH);
    const cacheFile = join(dir, 'qemu-devices.json');
    assert.equal((await chooseDebugTransport({ qemuBinary: path, cacheFile })).kind, 'virtio');
    assert.equal((await chooseDebugTransport({ qemuBinary: path, cacheFile })).kind, 'virtio');
    assert.equal((await readFile(log, 'utf8')).trim().split('\n').length, 1, 'asked once');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a QEMU without the device, or one that cannot list its devices, gets serial port 2 and a line saying why', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'debug-transport-'));
  try {
    const without = await fakeQemu(dir, WITHOUT);
    const choice = await chooseDebugTransport({ qemuBinary: without.path, cacheFile: join(dir, 'a.json') });
    assert.equal(choice.kind, 'serial');
    assert.match(choice.why, /^serial port 2: .* has no virtio-serial-pci device/);

    const failing = await fakeQemu(dir, undefined);
    const cacheFile = join(dir, 'b.json');
    const broken = await chooseDebugTransport({ qemuBinary: failing.path, cacheFile });
    assert.equal(broken.kind, 'serial');
    assert.match(broken.why, /-device help failed/);
    await chooseDebugTransport({ qemuBinary: failing.path, cacheFile });
    assert.equal(
      (await readFile(failing.log, 'utf8')).trim().split('\n').length,
      2,
      'a failed query is asked again',
    );

    const missing = await chooseDebugTransport({ qemuBinary: join(dir, 'nowhere', 'qemu'), cacheFile });
    assert.match(missing.why, /is not installed/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the qemu driver's arguments give the virtio port only when the choice is virtio; serial port 2 always", () => {
  const dir = new MachineDir('demo', '/tmp/phantom-demo');
  const config = machineConfigSchema.parse({});
  const firmware = { kind: 'default', why: 'test' } as const;
  const virtio = qemuArguments(dir, config, {}, 'tcg', firmware, 'virtio');
  const serial = qemuArguments(dir, config, {}, 'tcg', firmware, 'serial');
  assert.ok(virtio.includes('virtio-serial-pci,id=debugbus'));
  assert.ok(virtio.some((a) => a.includes(dir.debugPortSocket)));
  assert.ok(!serial.some((a) => a.includes('virtio-serial') || a.includes(dir.debugPortSocket)));
  for (const args of [virtio, serial])
    assert.ok(
      args.some((a) => a.includes(dir.debugSocket)),
      'serial port 2 stays',
    );
});
