// machine.mjs — a running kernel in QEMU that a test keeps a handle on (tests/qemu.mjs's boot()
// runs one to completion): console lines with the host time they arrived, waiting for a line
// under a deadline, serial port 2 on a unix socket for the debug channel, kill -9 at any moment;
// and store images of lang programs built in memory with lang's compiler, image builder and
// generation-0 writer (what `phc image` does).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { compile } from '@phantom/lang/common/compiler.js';
import { buildSpace } from '@phantom/lang/common/image/builder.js';
import { writeGeneration0 } from '@phantom/lang/common/store/generation0.js';
import { accelerator, debugChannelArgs, kernelPath, MACHINE_ARGS, writeStoreDisk } from '../qemu.mjs';

/** Compiles `sources` (paths) and writes generation 0 of a store running `mainClasses` to `diskPath`. */
export async function buildStoreDisk(diskPath, sources, mainClasses, { spaceBytes = 64 << 20, diskBytes } = {}) {
  const inputs = await Promise.all(sources.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
  const result = compile(inputs);
  if (!result.program) {
    const errors = result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n');
    throw new Error(`cannot compile ${sources.join(', ')}:\n${errors}`);
  }
  const space = buildSpace(result.program, { spaceBytes, mainClasses });
  await writeStoreDisk(diskPath, writeGeneration0(space, diskBytes === undefined ? {} : { diskBytes }));
}

export class Machine {
  /** Every complete console line (CR LF stripped) with performance.now() at its arrival. */
  lines = [];
  log = '';
  exitCode = undefined;
  #partial = '';
  #waiters = new Set();
  #process;
  #exited;

  /**
   * Starts QEMU on `disk` (raw). debugSocket: a unix socket path where QEMU serves the debug
   * channel, over debugTransport ('virtio', the default: a virtio-serial port; 'serial': serial port 2); drive: a whole -drive value instead (another format, a node name);
   * kernel: another copy of the kernel (long runs copy it, so a rebuild meanwhile cannot touch
   * them); extraArgs: more QEMU arguments (a QMP socket); accel: another accelerator than qemu.mjs's
   * decision, for a run that needs one (TCG for -icount), which the caller must then say it used;
   * machine: the machine and firmware arguments instead of qemu.mjs's MACHINE_ARGS ([] for QEMU's
   * own defaults, as a benchmark's older path).
   */
  constructor({
    disk,
    append = '',
    memory = '256M',
    debugSocket,
    debugTransport = 'virtio',
    drive,
    kernel = kernelPath,
    extraArgs = [],
    accel = accelerator.accel,
    machine = MACHINE_ARGS,
  }) {
    if (!existsSync(kernel)) throw new Error(`${kernel} is missing: build it with make -C kernel-src`);
    const args = [
      ...machine, '-accel', accel, '-m', memory, '-kernel', kernel, '-append', append,
      '-nodefaults', '-display', 'none', '-monitor', 'none', '-no-reboot',
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
      '-drive', drive ?? `file=${disk},if=virtio,format=raw`,
    ];
    args.push('-serial', 'stdio');
    if (debugSocket) args.push(...debugChannelArgs(debugTransport, debugSocket));
    args.push(...extraArgs);
    this.startedAt = performance.now();
    this.#process = spawn('qemu-system-i386', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#process.stdout.on('data', (chunk) => this.#onOutput(chunk.toString('latin1')));
    this.#process.stderr.on('data', (chunk) => {
      this.log += `[qemu stderr] ${chunk.toString('latin1')}`;
    });
    this.#exited = new Promise((resolve) => {
      this.#process.on('error', (err) => {
        this.log += `[spawn error] ${err.message}\n`;
        this.exitCode = 127;
        resolve(127);
      });
      this.#process.on('close', (code, signal) => {
        this.exitCode = code ?? signal;
        resolve(this.exitCode);
        this.#settleWaiters();
      });
    });
  }

  #onOutput(text) {
    this.log += text;
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop();
    const now = performance.now();
    for (const line of parts) this.lines.push({ line: line.replace(/\r$/, ''), at: now });
    this.#settleWaiters();
  }

  #settleWaiters() {
    for (const waiter of this.#waiters) waiter();
  }

  /**
   * Resolves with the first console line (from index `from`) that `pattern` (RegExp) matches,
   * as { line, at, index, match }; rejects when the deadline passes or QEMU exits first.
   */
  waitForLine(pattern, { deadlineMs = 60_000, from = 0 } = {}) {
    return new Promise((resolve, reject) => {
      let next = from;
      const check = () => {
        for (; next < this.lines.length; next++) {
          const match = pattern.exec(this.lines[next].line);
          if (match) return done(() => resolve({ ...this.lines[next], index: next, match }));
        }
        if (this.exitCode !== undefined)
          done(() => reject(new Error(`QEMU exited (${this.exitCode}) before a line matched ${pattern}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`no line matched ${pattern} within ${deadlineMs} ms`))),
        deadlineMs,
      );
      const done = (settle) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** kill -9 (the power cut); resolves when QEMU is gone. Safe to call twice. */
  async kill() {
    if (this.exitCode === undefined) this.#process.kill('SIGKILL');
    await this.#exited;
  }

  /** QEMU's process id (its CPU time is in /proc/PID/stat). */
  get pid() {
    return this.#process.pid;
  }

  exited() {
    return this.#exited;
  }
}
