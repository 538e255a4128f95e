// The firmware and machine machines boot with (firmware.ts): qboot and a PC without ACPI, HPET
// or VMware port where this host's QEMU has qboot, through each driver, on the real Phantom kernel
// and the counter image, across a power cut (the machine resumes from its last generation); QEMU's default firmware, said in the start's notes, where the ROM
// is missing (PHANTOM_QBOOT_ROM names one that is not there). What QEMU was started with is read
// from its own command line in /proc, not from our arguments. Needs kernel-src/build/phantom.elf
// and qemu-system-i386; the libvirt run is skipped, saying why, without libvirt.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_LIBVIRT_URI, type DriverName } from '../common/api.js';
import { imageMachineConfig } from '../common/image-definition.js';
import {
  BOOT_DEADLINE_MS,
  ConsoleRecorder,
  libvirtSkipReason,
  runPhantom,
  type TestState,
  temporaryState,
} from '../test-support/fixtures.js';
import { build, SOURCE_ROOT } from './build.js';
import { chooseFirmware, QBOOT_ROM, QBOOT_ROM_VARIABLE, qbootRomPath } from './firmware.js';
import { domainName } from './libvirt-driver.js';
import type { Machine } from './machines.js';

const kernelPath = join(SOURCE_ROOT, 'kernel-src/build/phantom.elf');
const noKernel = existsSync(kernelPath) ? false : `${kernelPath} is missing: build the kernel first`;
const noQboot = existsSync(QBOOT_ROM) ? false : `${QBOOT_ROM} is missing on this host`;

let state: TestState;
let machineConfig: Parameters<TestState['machines']['create']>[1];

before(async () => {
  state = await temporaryState();
  if (noKernel) return;
  const built = await build({ image: 'counter' }, () => undefined, {
    sourceRoot: SOURCE_ROOT,
    outDir: join(state.root, 'build'),
  });
  machineConfig = {
    kernelPath: built.kernelPath,
    memoryMiB: 64,
    ...(built.imagePath ? { imagePath: built.imagePath } : {}),
    ...(built.definition ? imageMachineConfig(built.definition) : {}),
  };
});

after(async () => {
  delete process.env[QBOOT_ROM_VARIABLE];
  await state?.cleanup();
});

/** QEMU's own command line, from /proc: what it was really started with. */
function qemuCommandLine(machine: Machine, driver: DriverName): string[] {
  const pidFile =
    driver === 'qemu' ? machine.dir.pidFile : `/run/libvirt/qemu/${domainName(machine.name)}.pid`;
  const pid = readFileSync(pidFile, 'utf8').trim();
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
}

/**
 * Whether QEMU's command line turns `part` (acpi, hpet, vmport) off: in -machine, as the qemu
 * driver says it, or with the -no-acpi / -no-hpet libvirt may use.
 */
function machineWithout(argv: string[], part: string): boolean {
  const machine = argv.filter((_, i) => argv[i - 1] === '-machine').join(',');
  return machine.split(',').includes(`${part}=off`) || argv.includes(`-no-${part}`);
}

/** The ticks the counter printed in `text`. */
function ticks(text: string): number[] {
  return [...text.matchAll(/tick (\d+)\r?\n/g)].map((m) => Number(m[1]));
}

describe('chooseFirmware', () => {
  test('takes the ROM it is given when it is a readable file', { skip: noQboot }, async () => {
    assert.deepEqual(await chooseFirmware({ qbootRom: QBOOT_ROM }), {
      kind: 'qboot',
      rom: QBOOT_ROM,
      why: `qboot (${QBOOT_ROM}): the fast firmware, for QEMU's direct kernel boot`,
    });
  });

  test('falls back to the default firmware, naming the ROM, when it is missing or not a file', async () => {
    const missing = await chooseFirmware({ qbootRom: join(state.root, 'no-such.rom') });
    assert.equal(missing.kind, 'default');
    assert.match(missing.why, /^default firmware \(SeaBIOS\): qboot's ROM \S+no-such\.rom is missing/);
    const folder = join(state.root, 'a-folder.rom');
    await mkdir(folder);
    const notFile = await chooseFirmware({ qbootRom: folder });
    assert.equal(notFile.kind, 'default');
    assert.match(notFile.why, /a-folder\.rom cannot be read as a file/);
  });

  test('PHANTOM_QBOOT_ROM names the ROM; blank means the usual one', async () => {
    const env = { [QBOOT_ROM_VARIABLE]: '/elsewhere/qboot.rom' };
    assert.match((await chooseFirmware({ env })).why, /\/elsewhere\/qboot\.rom is missing/);
    assert.equal(qbootRomPath({ env: { [QBOOT_ROM_VARIABLE]: '  ' } }), QBOOT_ROM);
    assert.equal(qbootRomPath({ env: {} }), QBOOT_ROM);
  });
});

const VARIANTS: { driver: DriverName; skip: string | false }[] = [
  { driver: 'qemu', skip: noKernel || noQboot },
  { driver: 'libvirt', skip: noKernel || noQboot || libvirtSkipReason() },
];

for (const { driver, skip } of VARIANTS) {
  if (skip) console.log(`# firmware (${driver}) skipped: ${skip}`);
  test(`${driver}: a machine boots under qboot and resumes under it after a power cut`, {
    skip,
    timeout: 6 * BOOT_DEADLINE_MS,
  }, async () => {
    delete process.env[QBOOT_ROM_VARIABLE];
    const machine = await state.machines.create(`qboot-${driver}-${process.pid}`, {
      ...machineConfig,
      driver,
      uri: DEFAULT_LIBVIRT_URI,
    });
    const started = await machine.start();
    assert.deepEqual(
      started.notes.filter((n) => n.includes('firmware')),
      [],
    );
    const argv = qemuCommandLine(machine, driver);
    assert.equal(argv[argv.indexOf('-bios') + 1], QBOOT_ROM, argv.join(' '));
    for (const part of ['acpi', 'hpet', 'vmport'])
      assert.ok(machineWithout(argv, part), `${part} is not off: ${argv.join(' ')}`);
    let recorder = new ConsoleRecorder(await machine.attachConsole());
    await recorder.waitFor(/tick [1-9]\d*\r?\n/);
    const before = Math.max(...ticks(recorder.text));
    await machine.channel.snapshotNow();
    recorder.attachment.dispose();
    await machine.powerOff();

    await machine.start();
    assert.equal(qemuCommandLine(machine, driver).includes(QBOOT_ROM), true);
    recorder = new ConsoleRecorder(await machine.attachConsole());
    const cut = await recorder.waitFor(/── power cut [^\n]*\n/);
    const from = recorder.text.indexOf(cut[0]) + cut[0].length;
    await recorder.waitFor(/tick \d+\r?\n/, from);
    const resumedAt = ticks(recorder.text.slice(from))[0]!;
    assert.ok(
      resumedAt > before,
      `after the power cut the counter printed ${resumedAt}; before the generation it was at ${before}`,
    );
    recorder.attachment.dispose();
    await machine.powerOff();
  });
}

test('qemu: without the ROM the machine boots with the default firmware and says so', {
  skip: noKernel,
  timeout: 2 * BOOT_DEADLINE_MS,
}, async () => {
  process.env[QBOOT_ROM_VARIABLE] = join(state.root, 'no-qboot.rom');
  try {
    const machine = await state.machines.create(`no-qboot-${process.pid}`, machineConfig);
    const started = await machine.start();
    assert.deepEqual(started.notes, [
      `default firmware (SeaBIOS): qboot's ROM ${join(state.root, 'no-qboot.rom')} is missing, so every start spends a few hundred ms more in the firmware (Debian: qemu-system-data has qboot)`,
    ]);
    assert.equal(qemuCommandLine(machine, 'qemu').includes('-bios'), false);
    const recorder = new ConsoleRecorder(await machine.attachConsole());
    await recorder.waitFor(/tick [1-9]\d*\r?\n/);
    assert.match(recorder.text, /── default firmware \(SeaBIOS\): qboot's ROM/);
    recorder.attachment.dispose();
    await machine.powerOff();
  } finally {
    delete process.env[QBOOT_ROM_VARIABLE];
  }
});

test('phantom doctor says which firmware machines get, and why not qboot', { skip: noQboot }, async () => {
  const env = { ...process.env, PHANTOM_STATE_DIR: state.root };
  const found = await runPhantom(['doctor'], env);
  assert.equal(found.code, 0, found.stderr);
  assert.match(
    found.stdout,
    new RegExp(`^ok {2}firmware {4}qboot \\(${QBOOT_ROM}\\): the fast firmware`, 'm'),
  );
  const missing = join(state.root, 'gone.rom');
  const fallback = await runPhantom(['doctor', '--json'], { ...env, [QBOOT_ROM_VARIABLE]: missing });
  assert.equal(fallback.code, 0, fallback.stderr);
  const report = JSON.parse(fallback.stdout) as { firmware: { ok: boolean; detail: string } };
  assert.equal(report.firmware.ok, false);
  assert.equal(
    report.firmware.detail,
    `default firmware (SeaBIOS): qboot's ROM ${missing} is missing, so every start spends a few hundred ms more in the firmware (Debian: qemu-system-data has qboot)`,
  );
});
