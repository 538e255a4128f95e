// interp-runs.mjs — one program's run on the kernel's VM, timed the same way wherever benchmarks set
// interpreters side by side (vm.mjs here; inspector/bench/replay.mjs beside the replay): hosted
// (build/hosted/phrun, its own --stats), and in the kernel booted under QEMU with qemu.mjs's
// accelerator decision, host-timed from the console line that says the space is mapped to the one
// that says every thread has ended.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accelerator, kernelDir, kernelPath, MACHINE_ARGS } from '../qemu.mjs';

export { accelerator, kernelPath };
export const phrunPath = join(kernelDir, 'build', 'hosted', 'phrun');
/** Deadline for the program to finish in QEMU on shared cores; generous, for TCG. */
const QEMU_DEADLINE_MS = 300_000;

/** phrun --stats: its own measurement of the run (the store is loaded before the clock starts). */
export function runPhrun(img) {
  const run = spawnSync(phrunPath, ['--stats', '--virtual-clock', img], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (run.status !== 0) throw new Error(`phrun failed: ${run.stderr}`);
  return Object.fromEntries(
    run.stderr
      .trim()
      .split('\n')
      .map((line) => line.split(': '))
      .map(([k, v]) => [k, Number.isNaN(Number(v)) ? v : Number(v)]),
  );
}

/**
 * Boots the kernel on a copy of the image under QEMU, with qemu.mjs's accelerator, and times the
 * VM's run on the host (page faults that read the space from the store included). Returns
 * seconds, or null on failure.
 */
export function runQemu(img) {
  const work = mkdtempSync(join(tmpdir(), 'interp-qemu-'));
  const disk = join(work, 'disk.img');
  copyFileSync(img, disk);
  return new Promise((resolve) => {
    const qemu = spawn(
      'qemu-system-i386',
      [...MACHINE_ARGS, '-accel', accelerator.accel, '-m', '256M', '-kernel', kernelPath, '-display', 'none', '-serial', 'stdio', '-no-reboot',
        '-drive', `file=${disk},if=virtio,format=raw`],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let log = '';
    let started = null;
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      qemu.kill('SIGKILL');
      rmSync(work, { recursive: true, force: true });
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), QEMU_DEADLINE_MS);
    qemu.stdout.on('data', (chunk) => {
      log += chunk.toString('latin1');
      if (started === null && /\nspace: generation \d+: magic/.test(log)) started = process.hrtime.bigint();
      if (started !== null && log.includes('vm: every thread has ended')) {
        finish(Number(process.hrtime.bigint() - started) / 1e9);
      }
    });
    qemu.on('exit', () => finish(null));
  });
}
