/**
 * A machine's small helper processes (the channel broker, the console keeper): one per machine,
 * held by a pid lock, serving a unix socket in the machine's run folder, started detached by the
 * first process that needs one so that any process may exit without ending it, and ending by
 * itself when the machine's QEMU does. Where Node cannot be started as a separate process (a
 * packaged Electron, whose binary does not run scripts), the helper runs in the process that
 * needs it and ends with it; the next one to need it then starts another.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pidLockHeld, pidLockOwner } from './pid-lock.js';

export interface DaemonSpec {
  /** What it is, for messages: "the channel broker". */
  what: string;
  /** Its main script, a file beside this module (shell/build.mjs bundles it beside the host). */
  main: string;
  args: string[];
  lock: string;
  socket: string;
  /** Where its output goes (appended). */
  log: string;
  /** Starts it in this process instead (packaged Electron); rejects when it cannot serve. */
  inProcess: () => Promise<unknown>;
}

/** How long a helper just started may take to listen before its starter gives up on it. */
const DAEMON_START_MS = 10_000;

/** The helper's socket, starting the helper if none serves; resolves once it listens. */
export async function ensureDaemon(spec: DaemonSpec): Promise<string> {
  if (await pidLockHeld(spec.lock)) return spec.socket;
  if (process.versions.electron !== undefined) {
    await spec.inProcess().catch(async (err: Error) => {
      if (!(await pidLockHeld(spec.lock))) throw err;
    });
    return spec.socket;
  }
  const output = openSync(spec.log, 'a');
  const main = fileURLToPath(new URL(`./${spec.main}`, import.meta.url));
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [main, ...spec.args], {
      detached: true,
      stdio: ['ignore', output, output],
    });
  } finally {
    closeSync(output);
  }
  child.unref();
  const deadline = Date.now() + DAEMON_START_MS;
  while (Date.now() < deadline) {
    if ((await pidLockHeld(spec.lock)) && existsSync(spec.socket)) return spec.socket;
    if (child.exitCode !== null && !(await pidLockHeld(spec.lock)))
      throw new Error(`${spec.what} exited at once (status ${child.exitCode}); see ${spec.log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${spec.what} did not start within ${DAEMON_START_MS} ms; see ${spec.log}`);
}

/**
 * Ends the helper holding `lock`, if one does, and waits until it has let the lock go: before a
 * machine starts, a helper of its last run (whose QEMU is gone) may still be closing, and the new
 * run's must not be mistaken for it. A helper living in this process (packaged Electron) is not
 * signalled: it closes by itself once its QEMU is gone.
 */
export async function endDaemon(lock: string, timeoutMs = DAEMON_START_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let signalled = false;
  for (let pid = await pidLockOwner(lock); pid !== undefined; pid = await pidLockOwner(lock)) {
    if (Date.now() > deadline) throw new Error(`the helper holding ${lock} did not end`);
    if (!signalled && pid !== process.pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Gone already.
      }
      signalled = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs a helper's main: `start()` it, say so on stderr, exit 0 when it closes (its machine's QEMU
 * went) and 1 when it cannot start, saying why.
 */
export async function runDaemon(
  what: string,
  start: () => Promise<{ onDidClose(listener: () => void): unknown; close(): void }>,
): Promise<void> {
  const stamp = () => `${new Date().toISOString()} ${what} ${process.pid}`;
  try {
    const daemon = await start();
    process.stderr.write(`${stamp()} serves\n`);
    daemon.onDidClose(() => {
      process.stderr.write(`${stamp()}: the machine's side closed\n`);
      process.exit(0);
    });
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => daemon.close());
  } catch (err) {
    process.stderr.write(`${stamp()} did not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
