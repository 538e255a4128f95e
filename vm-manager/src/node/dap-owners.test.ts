// The records of which `phantom dap` set which breakpoint: a live process's record is kept and not
// an orphan; a dead one's (or one whose pid now runs another program) is taken once, as is a
// record cut short; this process's own record is never its own orphan and goes on release.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { breakpointOwners } from './dap-owners.js';

test('orphans are the breakpoints of processes that no longer run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dap-owners-'));
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  const dead = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => dead.once('exit', resolve));
  try {
    const record = (pid: number, command: string, breakpoints: number[]) =>
      writeFile(join(dir, `${pid}.json`), JSON.stringify({ pid, command, breakpoints }));
    await record(live.pid!, '-e', [1, 2]);
    await record(dead.pid!, '-e', [3]);
    await record(live.pid! === 1 ? 2 : 1, 'no-such-program-here', [4]); // pid 1 runs another program
    await writeFile(join(dir, '999999.json'), '{"pid": 999999, "comm'); // cut short
    await writeFile(join(dir, 'notes.txt'), 'not a record');
    const owners = breakpointOwners(dir);
    await owners.hold([7, 8]);
    assert.deepEqual((await owners.takeOrphans()).sort(), [3, 4]);
    assert.deepEqual(await owners.takeOrphans(), [], 'taken once');
    assert.deepEqual(
      (await readdir(dir)).sort(),
      [`${live.pid}.json`, `${process.pid}.json`, 'notes.txt'].sort(),
    );
    await owners.release();
    assert.ok(!(await readdir(dir)).includes(`${process.pid}.json`));
  } finally {
    live.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
