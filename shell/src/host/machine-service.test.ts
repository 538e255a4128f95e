// A packaged studio's machines: created from the kernel and boot images the package carries,
// without a build; a program the package has no image for is refused with the ones it has.
// Needs qemu-img (the machine's disk is made from the image). And the turns users of a
// machine's debug channel take.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { EventMessage } from '../common/api.js';
import { MachineService } from './machine-service.js';

const qemuImg = spawnSync('qemu-img', ['--version']);
const problem = qemuImg.status === 0 ? undefined : 'qemu-img is not installed';

const dir = mkdtempSync(join(tmpdir(), 'ph-prebuilt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function packageFiles() {
  const kernelPath = join(dir, 'resources', 'kernel-src', 'build', 'phantom.elf');
  const bootImagesDir = join(dir, 'resources', 'boot-images');
  mkdirSync(join(kernelPath, '..'), { recursive: true });
  mkdirSync(bootImagesDir, { recursive: true });
  writeFileSync(kernelPath, 'the kernel is not booted here');
  writeFileSync(join(bootImagesDir, 'counter.img'), Buffer.alloc(1 << 20));
  writeFileSync(join(bootImagesDir, 'notes.img'), Buffer.alloc(1 << 20));
  return { kernelPath, bootImagesDir };
}

test("a machine is made from the package's kernel and boot image, with no build", {
  skip: problem,
}, async () => {
  const prebuilt = packageFiles();
  const service = new MachineService(join(dir, 'machines'), prebuilt);
  const events: EventMessage[] = [];
  const unsubscribe = service.subscribe((event) => events.push(event));
  try {
    const created = await service.create('demo', 'counter');
    assert.equal(created.program, 'counter');
    const machine = await service.machine('demo');
    assert.equal(machine.config.kernelPath, prebuilt.kernelPath);
    assert.equal(machine.config.imagePath, join(prebuilt.bootImagesDir, 'counter.img'));
    const progress = events.filter((e) => e.event === 'operation.progress').map((e) => e.data);
    assert.deepEqual(progress, [
      { machine: 'demo', operation: 'build', step: 'prebuilt', percent: 100, done: true },
    ]);
    await assert.rejects(service.create('other', 'graph'), {
      message: "this package has no boot image for 'graph'; it has: counter, notes",
    });
    await assert.rejects(service.create('sneaky', '../counter'), /no boot image for '\.\.\/counter'/);
  } finally {
    unsubscribe();
    service.dispose();
  }
});

test("users of a machine's debug channel take turns, in order, and a failure ends only its own turn", async () => {
  const service = new MachineService(join(dir, 'turns'));
  try {
    const log: string[] = [];
    let releaseFirst!: () => void;
    const first = service.takeDebugTurn('demo', async () => {
      log.push('first in');
      await new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      log.push('first out');
      throw new Error('the first user failed');
    });
    const second = service.takeDebugTurn('demo', async () => {
      log.push('second in');
      return 2;
    });
    // Another machine's channel is another queue: it does not wait for demo's.
    const other = await service.takeDebugTurn('other', async () => 'other');
    assert.equal(other, 'other');
    assert.deepEqual(log, ['first in']);
    releaseFirst();
    await assert.rejects(first, /the first user failed/);
    assert.equal(await second, 2);
    assert.deepEqual(log, ['first in', 'first out', 'second in']);
    // With the queue empty, a turn starts at once.
    assert.equal(await service.takeDebugTurn('demo', async () => 3), 3);
  } finally {
    service.dispose();
  }
});
