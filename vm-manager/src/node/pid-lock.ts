/**
 * Pid lock files: a file holding the pid of the process that took it, made with O_EXCL so that one
 * process at a time holds it, and taken over when its owner has died. A machine's start lock and
 * its channel broker's lock are such files.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { VmError } from '../common/errors.js';

/**
 * Takes the lock file `path` for this process (its pid inside), or fails `machine-busy` with
 * `busy` while a live process holds it. A lock whose owner died is taken over. Resolves to the
 * function that releases it.
 */
export async function acquirePidLock(path: string, busy: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await pidLockHeld(path)) throw new VmError('machine-busy', busy);
      await rm(path, { force: true });
    }
  }
  throw new VmError('machine-busy', busy);
}

/** The pid of the live process that holds the lock file `path`, or undefined when none does. */
export async function pidLockOwner(path: string): Promise<number | undefined> {
  const owner = Number(await readFile(path, 'utf8').catch(() => ''));
  return Number.isSafeInteger(owner) && owner > 0 && ownerAlive(owner) ? owner : undefined;
}

/** Whether a live process holds the lock file `path`. */
export async function pidLockHeld(path: string): Promise<boolean> {
  return (await pidLockOwner(path)) !== undefined;
}

function ownerAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
