/**
 * Whether a process is alive, judged from /proc: a pid that was reused by another program, or
 * a zombie nobody reaped (a container's init may not), counts as dead.
 */
import { readFile } from 'node:fs/promises';

export async function isProcessAlive(pid: number, commandIncludes: string): Promise<boolean> {
  try {
    const [stat, cmdline] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
    ]);
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X' && cmdline.includes(commandIncludes);
  } catch {
    return false;
  }
}

/** Polls until `condition` holds or the deadline passes; resolves to whether it held. */
export async function pollUntil(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
