/**
 * The kernel in QEMU for the inspector's integration tests: builds a store image of a program
 * with phc, boots build/phantom.elf on it with the debug channel on a unix socket (over a
 * virtio-serial port, or serial port 2 when asked), collects the
 * console, waits for console lines under a deadline, and cuts the power. Each test file starts
 * its own machine in its own temporary folder. (A .test.ts so the test build compiles it; it
 * holds no tests itself.)
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEBUG_PORT_NAME } from '../common/debug-protocol.js';

export const repo = join(import.meta.dirname, '../../..');
const kernel = join(repo, 'kernel-src/build/phantom.elf');

/** An accelerator ('kvm' or 'tcg') and the decision's one line saying why. */
export interface MachineAccelerator {
  accel: string;
  why: string;
}

let accelerator: MachineAccelerator | undefined;
/**
 * The accelerator machines get, asked of the phantom CLI (vm-manager's probe, cached): the
 * inspector sits below vm-manager, so it asks the command, not the module. It prints the
 * accelerator on stdout and why on stderr.
 */
function machineAccelerator(): MachineAccelerator {
  if (!accelerator) {
    const asked = spawnSync(
      process.execPath,
      [join(repo, 'vm-manager/bin/phantom.mjs'), 'doctor', '--accelerator', '--kernel', kernel],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    assert.equal(asked.status, 0, `phantom doctor --accelerator failed: ${asked.stderr}`);
    accelerator = { accel: asked.stdout.trim(), why: asked.stderr.trim().split('\n').at(-1) ?? '' };
  }
  return accelerator;
}

let machine: string[] | undefined;
/** QEMU's machine and firmware arguments machines get, asked of the phantom CLI as the accelerator is. */
function machineArguments(): string[] {
  if (!machine) {
    const asked = spawnSync(
      process.execPath,
      [join(repo, 'vm-manager/bin/phantom.mjs'), 'doctor', '--machine'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    assert.equal(asked.status, 0, `phantom doctor --machine failed: ${asked.stderr}`);
    machine = asked.stdout.split('\n').filter((a) => a.length > 0);
  }
  return machine;
}

export interface TestMachine {
  readonly dir: string;
  readonly image: string;
  /** The debug channel's socket. */
  readonly socket: string;
  /** What QEMU runs it under, and why (for a benchmark's table). */
  readonly accelerator: MachineAccelerator;
  /** Everything the console printed so far. */
  console(): string;
  /** Resolves with the match once the console matches, or fails with the console after `ms`. */
  waitFor(pattern: RegExp, ms: number): Promise<RegExpExecArray>;
  /** A power cut; resolves when QEMU is gone. */
  kill(): Promise<void>;
  /** Kills QEMU if it still runs and removes the folder. */
  dispose(): void;
}

/** Builds an image of `source` (Phantom source text) starting `mainClass`, and boots it. */
export function bootMachine(options: {
  name: string;
  source: string;
  mainClass: string;
  append?: string;
  /** The debug channel's transport: a virtio-serial port (the default, as vm-manager's machines have it) or serial port 2. */
  debugTransport?: 'virtio' | 'serial';
}): TestMachine {
  assert.ok(existsSync(kernel), `${kernel} is missing: build the kernel first (npm test does)`);
  const dir = mkdtempSync(join(tmpdir(), `phantom-${options.name}-`));
  const source = join(dir, `${options.name}.ph`);
  const image = join(dir, `${options.name}.img`);
  const socket = join(dir, 'debug.sock');
  writeFileSync(source, options.source);
  execFileSync(process.execPath, [
    ...[join(repo, 'lang/bin/phc.mjs'), 'image', source, '--main', options.mainClass],
    ...['-o', image, '--space-bytes', String(4 << 20)],
  ]);
  let output = '';
  const used = machineAccelerator();
  const qemu: ChildProcess = spawn('qemu-system-i386', [
    ...machineArguments(),
    ...['-accel', used.accel],
    ...['-m', '128M', '-kernel', kernel, '-append', options.append ?? '', '-display', 'none', '-no-reboot'],
    ...['-serial', 'stdio', '-chardev', `socket,id=dbg,path=${socket},server=on,wait=off`],
    ...(options.debugTransport === 'serial'
      ? ['-serial', 'chardev:dbg']
      : [
          ...['-device', 'virtio-serial-pci,id=debugbus'],
          ...['-device', `virtserialport,bus=debugbus.0,chardev=dbg,name=${DEBUG_PORT_NAME}`],
        ]),
    ...['-drive', `file=${image},if=virtio,format=raw`],
  ]);
  const collect = (d: Buffer) => {
    output += d.toString();
  };
  qemu.stdout!.on('data', collect);
  qemu.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => qemu.once('exit', () => resolve()));
  return {
    dir,
    image,
    socket,
    accelerator: used,
    console: () => output,
    waitFor: (pattern, ms) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(() => {
          clearInterval(poll);
          reject(new Error(`console did not match ${pattern} within ${ms} ms:\n${output}`));
        }, ms);
        const poll = setInterval(() => {
          const match = pattern.exec(output);
          if (match) {
            clearTimeout(deadline);
            clearInterval(poll);
            resolve(match);
          }
        }, 50);
      }),
    kill: async () => {
      qemu.kill('SIGKILL');
      await exited;
    },
    dispose: () => {
      qemu.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
