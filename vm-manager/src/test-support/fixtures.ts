/**
 * Shared by vm-manager's tests, never shipped: a temporary state dir that cleans up after
 * itself (killing any machine left running), the tick kernel built from test-fixtures/, and
 * waiting on console output under a deadline.
 */
import { type ChildProcessWithoutNullStreams, execFile, execFileSync, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ConsoleAttachment } from '../common/api.js';
import { type Machine, Machines } from '../node/machines.js';

const execFileAsync = promisify(execFile);

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Boots under TCG on two shared cores can be slow; every wait is bounded by this. */
export const BOOT_DEADLINE_MS = 60_000;

export interface TestState {
  root: string;
  machines: Machines;
  /** Powers off every machine and deletes the folder. */
  cleanup(): Promise<void>;
}

function commandExists(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function daemonRunning(name: string): boolean {
  try {
    execFileSync('pgrep', ['-x', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the libvirt tests cannot run here (libvirt not installed), or false. `npm test` starts the
 * daemons (scripts/lib.mjs); a test file run by itself as root starts them the same way.
 */
export function libvirtSkipReason(): string | false {
  if (!commandExists('libvirtd') || !commandExists('virsh'))
    return 'libvirt is not installed (libvirtd, virsh)';
  if (process.getuid?.() === 0) {
    if (!daemonRunning('virtlogd')) execFileSync('virtlogd', ['-d']);
    if (!daemonRunning('libvirtd')) execFileSync('libvirtd', ['-d']);
  }
  return false;
}

/** A short path under /tmp: unix socket paths are limited to 107 bytes. */
export async function temporaryState(): Promise<TestState> {
  const root = await mkdtemp('/tmp/pvm-');
  // libvirt's QEMU runs as its own user and must reach the disks.
  await chmod(root, 0o755);
  const machines = new Machines({ root: join(root, 'machines') });
  return {
    root,
    machines,
    async cleanup() {
      for (const status of await machines.list()) {
        await machines.remove(status.name, { force: true }).catch(() => undefined);
      }
      machines.dispose();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The phantom CLI's entry point. */
export const PHANTOM_CLI = join(PACKAGE_ROOT, 'bin', 'phantom.mjs');

/** `phantom dap` in a process of its own on the state dir `root`, its stderr gathered for failure messages. */
export function spawnPhantomDap(root: string): {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
} {
  const child = spawn(process.execPath, [PHANTOM_CLI, 'dap'], {
    env: { ...process.env, PHANTOM_STATE_DIR: root },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (t: string) => {
    stderr += t;
  });
  return { child, stderr: () => stderr };
}

/** Runs the CLI in a process of its own with `env`; one that has not exited by the deadline is killed. */
export function runPhantom(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PHANTOM_CLI, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 2 * BOOT_DEADLINE_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      stdout += t;
    });
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      stderr += t;
    });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Compiles the tick kernel (test-fixtures/tick-kernel.c) into `dir`. */
export async function buildTickKernel(dir: string): Promise<string> {
  const out = join(dir, 'tick-kernel.elf');
  await execFileAsync('gcc', [
    '-m32',
    '-ffreestanding',
    '-fno-pic',
    '-no-pie',
    '-nostdlib',
    '-static',
    '-O2',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-Wl,--build-id=none',
    '-Wl,-z,noseparate-code',
    '-Wl,-z,max-page-size=0x1000',
    '-Wl,-Ttext-segment=0x100000',
    '-o',
    out,
    join(PACKAGE_ROOT, 'test-fixtures', 'tick-kernel.c'),
  ]);
  return out;
}

/**
 * The moment (performance.now()) `machine` is next seen crashed: subscribe before making its guest
 * die, so that the change cannot come first.
 */
export function whenCrashed(machine: Machine): Promise<number> {
  return new Promise<number>((resolve) => {
    const subscription = machine.onDidChangeState((change) => {
      if (change.state !== 'crashed') return;
      subscription.dispose();
      resolve(performance.now());
    });
  });
}

/** Collects everything an attachment delivers, as text, and waits for patterns in it. */
export class ConsoleRecorder {
  text = '';
  private readonly waiters = new Set<() => void>();

  constructor(readonly attachment: ConsoleAttachment) {
    this.text = new TextDecoder().decode(attachment.scrollback);
    attachment.onData((bytes) => {
      this.text += new TextDecoder().decode(bytes);
      for (const wake of [...this.waiters]) wake();
    });
  }

  /** Resolves with the first match of `pattern` in the text after `from`, or rejects at the deadline. */
  waitFor(pattern: RegExp, from = 0, timeoutMs = BOOT_DEADLINE_MS): Promise<RegExpExecArray> {
    return this.waitUntil(() => pattern.exec(this.text.slice(from)) ?? undefined, `${pattern}`, timeoutMs);
  }

  /**
   * Resolves once the guest's counter goes back: a tick printed after `from` that is lower
   * than the tick printed before it.
   */
  waitForTickDrop(from: number, timeoutMs = BOOT_DEADLINE_MS): Promise<{ before: number; after: number }> {
    return this.waitUntil(
      () => {
        let previous = -1;
        for (const match of this.text.matchAll(/tick (\d+)\n/g)) {
          const tick = Number(match[1]);
          if (match.index >= from && tick < previous) return { before: previous, after: tick };
          previous = tick;
        }
        return undefined;
      },
      'the tick counter going back',
      timeoutMs,
    );
  }

  /** Resolves with what `check` finds once it finds something, or rejects at the deadline. */
  private waitUntil<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        const found = check();
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `console did not show ${what} within ${timeoutMs} ms; it shows: ${this.text.slice(-500)}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      const wake = (): void => {
        attempt();
      };
      if (!attempt()) this.waiters.add(wake);
    });
  }
}
