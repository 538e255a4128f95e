// qemu.mjs — boots build/phantom.elf in QEMU for the boot tests and benchmarks: serial 1 is read
// into a console log, the run ends when the kernel halts (it tells QEMU's isa-debug-exit
// device), when a wanted line appears, or at a deadline; QEMU is always killed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chooseAccelerator } from '@phantom/vm-manager/node/accelerator.js';
import { chooseFirmware, machineArguments } from '@phantom/vm-manager/node/firmware.js';
import { mkdtemp, open, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const kernelDir = dirname(dirname(fileURLToPath(import.meta.url)));
export const kernelPath = join(kernelDir, 'build', 'phantom.elf');
export const BLOCK_SIZE = 4096;
/** The kernel's snapshot interval when its command line has no snap= (CMDLINE_SNAP_DEFAULT_MS). */
export const KERNEL_DEFAULT_SNAP_MS = Number(
  /#define CMDLINE_SNAP_DEFAULT_MS (\d+)u/.exec(readFileSync(join(kernelDir, 'core', 'cmdline.h'), 'utf8'))[1],
);

/** Generous: a boot under TCG on 2 shared cores with other QEMUs running. */
export const BOOT_DEADLINE_MS = 60_000;

/**
 * The accelerator every boot here uses: vm-manager's decision, as for a machine (KVM only when a
 * probe boot of this kernel under it passed; cached), so tests and benchmarks run as machines do.
 * A probe that failed is said once per process.
 */
export const accelerator = await chooseAccelerator({ kernelPath });
if (accelerator.accel === 'tcg' && accelerator.source.endsWith('probe')) console.error(`qemu.mjs: ${accelerator.why}`);

/**
 * The firmware and machine every boot here uses: vm-manager's choice, as for a machine (qboot and
 * the trimmed PC where QEMU has qboot). The slower fallback is said once per process.
 */
export const firmware = await chooseFirmware();
if (firmware.kind !== 'qboot') console.error(`qemu.mjs: ${firmware.why}`);
/** QEMU's machine and firmware arguments for that choice (boot's and Machine's `machine` option). */
export const MACHINE_ARGS = machineArguments(firmware);

/**
 * A bench's clock under QEMU's instruction counter (`-icount shift=SHIFT`: the guest's clock
 * advances 2^SHIFT ns per instruction): the accelerator it runs under and names in its table
 * (TCG, the only one with -icount; `accel`/`why` as acceleratorLine takes them), and the QEMU
 * arguments (Machine's extraArgs).
 */
export function icountClock(shift) {
  return {
    accel: 'tcg',
    why: `fixed by --icount ${shift}: QEMU counts instructions only under TCG`,
    extraArgs: ['-icount', `shift=${shift}`],
  };
}

/** What the kernel's machine_halt(status) makes QEMU exit with. */
export const haltExitCode = (status) => (status << 1) | 1;

/** The debug channel's transports: the kernel uses the virtio-serial port when the machine has one. */
export const DEBUG_TRANSPORTS = ['virtio', 'serial'];
/** The virtio-serial port's name, which the kernel looks for (arch/debug_channel.c). */
export const DEBUG_PORT_NAME = 'org.phantom.debug';

/**
 * QEMU arguments that serve the debug channel on the unix socket `path` over `transport`:
 * 'serial' (serial port 2, after a -serial for port 1 that the caller gives) or 'virtio' (a named
 * port of a virtio-serial device, as vm-manager's drivers add it).
 */
export function debugChannelArgs(transport, path) {
  const chardev = ['-chardev', `socket,id=debug,path=${path},server=on,wait=off`];
  if (transport === 'serial') return [...chardev, '-serial', 'chardev:debug'];
  if (transport === 'virtio')
    return [
      ...chardev,
      '-device', 'virtio-serial-pci,id=debugbus',
      '-device', `virtserialport,bus=debugbus.0,chardev=debug,name=${DEBUG_PORT_NAME}`,
    ];
  throw new Error(`unknown debug transport ${transport} (${DEBUG_TRANSPORTS.join(' or ')})`);
}

/** A temporary directory, removed by the returned cleanup. */
export async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'phantom-boot-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A raw disk of `blocks` blocks whose first `patternBlocks` blocks start with the word
 * 0x50480000 + block (what the kernel's disk and pager self-tests expect); the rest is zero.
 */
export async function patternDisk(path, blocks, patternBlocks = 16) {
  await truncate(path, 0).catch(() => {});
  const file = await open(path, 'w');
  try {
    await file.truncate(blocks * BLOCK_SIZE);
    const word = Buffer.alloc(4);
    for (let b = 0; b < patternBlocks; b++) {
      word.writeUInt32LE(0x50480000 + b);
      await file.write(word, 0, 4, b * BLOCK_SIZE);
    }
  } finally {
    await file.close();
  }
}

/**
 * Boots the kernel. Resolves to { log, marks, code, timedOut, matched } when QEMU exits,
 * `until` (a RegExp) matches the console, or the deadline passes. marks: every complete console
 * line (without CR LF) with the milliseconds from spawning QEMU to its arrival. extraArgs are
 * appended to QEMU's arguments (e.g. a second -serial for the debug channel); onLine(line) sees
 * each console line as it arrives; machine: the machine and firmware arguments instead of
 * MACHINE_ARGS ([] for QEMU's own defaults). The returned promise has stop(), which ends the run now.
 */
export function boot({
  append = '',
  disk,
  until,
  deadlineMs = BOOT_DEADLINE_MS,
  memory = '256M',
  extraArgs = [],
  machine = MACHINE_ARGS,
  onLine,
} = {}) {
  if (!existsSync(kernelPath)) throw new Error(`${kernelPath} is missing: build it with make -C kernel-src`);
  const args = [
    ...machine, '-accel', accelerator.accel, '-m', memory, '-kernel', kernelPath, '-append', append,
    // -nodefaults: no NIC (its option ROM), VGA, floppy or CD-ROM; saves about a third of the firmware's start.
    '-nodefaults', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
  ];
  if (disk) args.push('-drive', `file=${disk},if=virtio,format=raw`);
  args.push(...extraArgs);
  let stop;
  const run = new Promise((resolve) => {
    const started = performance.now();
    const qemu = spawn('qemu-system-i386', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const marks = [];
    let partial = '';
    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      qemu.kill('SIGKILL');
      resolve({ log, marks, ...result });
    };
    const timer = setTimeout(() => finish({ code: null, timedOut: true, matched: false }), deadlineMs);
    qemu.stdout.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      log += text;
      const lines = (partial + text).split('\n');
      partial = lines.pop();
      const ms = performance.now() - started;
      for (const line of lines) {
        marks.push({ line: line.replace(/\r$/, ''), ms });
        onLine?.(line.replace(/\r$/, ''));
      }
      if (until?.test(log)) finish({ code: null, timedOut: false, matched: true });
    });
    qemu.stderr.on('data', (chunk) => {
      log += `[qemu stderr] ${chunk.toString('latin1')}`;
    });
    qemu.on('error', (err) => finish({ code: 127, timedOut: false, matched: false, error: err }));
    qemu.on('close', (code) => finish({ code, timedOut: false, matched: false }));
    stop = () => finish({ code: null, timedOut: false, matched: false, stopped: true });
  });
  run.stop = stop;
  return run;
}

/** Writes a store image (lang's StoreImage: a block count and the non-zero blocks) as a sparse raw disk. */
export async function writeStoreDisk(path, image) {
  const file = await open(path, 'w');
  try {
    await file.truncate(image.blockCount * BLOCK_SIZE);
    for (const [block, bytes] of image.blocks) await file.write(bytes, 0, bytes.length, block * BLOCK_SIZE);
  } finally {
    await file.close();
  }
}
