// baseline-kernel.test.mjs — an earlier revision's kernel from git: refused when the clone lacks the
// revision, built once into kernel-src/build/ and found there afterwards, booted as it needs.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { test } from 'node:test';
import {
  baselineKernel,
  bootOptions,
  ISSUE_21_DEBUG_TRANSPORT,
  ISSUE_21_FILED,
  ISSUE_21_MACHINE_ARGS,
  resolveRevision,
} from './baseline-kernel.mjs';

test('a revision the clone does not have is refused, saying so', async () => {
  await assert.rejects(baselineKernel('no-such-revision-here'), /revision 'no-such-revision-here' is not in this clone's history/);
});

test('the kernel as filed is built under kernel-src/build once, then found there', async () => {
  const first = await baselineKernel(ISSUE_21_FILED, { log: () => {} });
  assert.ok(existsSync(first.kernelPath), first.kernelPath);
  assert.ok(first.kernelPath.includes(`${sep}kernel-src${sep}build${sep}baseline-${first.commit.slice(0, 12)}${sep}`));
  assert.equal(first.commit, await resolveRevision(ISSUE_21_FILED));
  const said = [];
  const again = await baselineKernel(ISSUE_21_FILED, { log: (line) => said.push(line) });
  assert.deepEqual(said, []);
  assert.equal(again.kernelPath, first.kernelPath);
});

test('a kernel from before qboot boots on SeaBIOS with its channel on serial port 2; a newer one as machines do', async () => {
  assert.deepEqual(await bootOptions(await resolveRevision(ISSUE_21_FILED)), {
    machine: ISSUE_21_MACHINE_ARGS,
    debugTransport: ISSUE_21_DEBUG_TRANSPORT,
  });
  assert.deepEqual(await bootOptions(await resolveRevision('HEAD')), {});
});
