/**
 * Which of a machine's breakpoints belong to which `phantom dap` process, so that the breakpoints
 * of an adapter that died without disconnecting (kill -9, a crash, the host's power) do not go on
 * stopping threads nobody debugs. Each adapter keeps one record, `<pid>.json` in the machine's
 * `dap-owners` folder, with the kernel ids of the breakpoints it set; an adapter that attaches takes
 * the records of processes that no longer run and clears their breakpoints. The rule, and why the
 * records are the host's and not the machine's, is in kernel-src/docs/debug-protocol.md
 * ("Whose breakpoints").
 *
 * Not here: clearing them (the session does, through the channel).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BreakpointOwners } from '@phantom/inspector/node/dap/session.js';
import { isProcessAlive } from './process-watch.js';

interface OwnerRecord {
  readonly pid: number;
  /** Part of the owner's command line: a pid reused by another program is not the owner. */
  readonly command: string;
  readonly breakpoints: readonly number[];
}

function parseRecord(text: string): OwnerRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<OwnerRecord>;
    if (
      Number.isSafeInteger(r.pid) &&
      typeof r.command === 'string' &&
      Array.isArray(r.breakpoints) &&
      r.breakpoints.every((id) => Number.isSafeInteger(id))
    )
      return r as OwnerRecord;
  } catch {
    // A record cut short by a crash: its owner's pid is in its name, read below.
  }
  return undefined;
}

/** The breakpoint records in `dir` (a machine's dap-owners folder), for this process. */
export function breakpointOwners(dir: string): BreakpointOwners {
  const mine = join(dir, `${process.pid}.json`);
  const command = process.argv[1] ?? process.argv[0] ?? 'node';
  return {
    hold: async (ids) => {
      await mkdir(dir, { recursive: true });
      const record: OwnerRecord = { pid: process.pid, command, breakpoints: [...ids] };
      // Written whole, then renamed: a reader never sees half a record.
      await writeFile(`${mine}.tmp`, JSON.stringify(record));
      await rename(`${mine}.tmp`, mine);
    },
    takeOrphans: async () => {
      const names = await readdir(dir).catch(() => [] as string[]);
      const orphans: number[] = [];
      for (const name of names) {
        const pid = Number(/^(\d+)\.json$/.exec(name)?.[1]);
        if (!Number.isSafeInteger(pid) || pid === process.pid) continue;
        const path = join(dir, name);
        const record = parseRecord(await readFile(path, 'utf8').catch(() => ''));
        if (await isProcessAlive(pid, record?.command ?? '')) continue;
        orphans.push(...(record?.breakpoints ?? []));
        await rm(path, { force: true });
      }
      return orphans;
    },
    release: () => rm(mine, { force: true }),
  };
}
