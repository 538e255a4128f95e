/**
 * `phantom … | head`: a command whose reader goes away after the first bytes ends quietly, with
 * its own exit status and nothing on stderr but its own messages (no EPIPE stack trace), as the
 * CLI's users pipe it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { PHANTOM_CLI, type TestState, temporaryState } from '../test-support/fixtures.js';

let state: TestState;

before(async () => {
  state = await temporaryState();
});

after(async () => {
  await state.cleanup();
});

const env = () => ({ ...process.env, PHANTOM_STATE_DIR: state.root });

/** `phantom <args> | head -c <bytes>` in bash with pipefail, so the status is phantom's. */
const intoHead = (args: string, bytes: number) =>
  `"${process.execPath}" "${PHANTOM_CLI}" ${args} | head -c ${bytes}`;

test('phantom logs into a reader that closes after 64 bytes ends quietly, status 0', async () => {
  const machine = await state.machines.create('logs');
  // Far more than a pipe holds, so most of it is written after the reader has gone.
  const line = 'tick 12345\r\n';
  await writeFile(machine.dir.consoleLog, line.repeat(200_000));
  const piped = spawnSync('bash', ['-o', 'pipefail', '-c', intoHead('logs logs --bytes 4000000', 64)], {
    env: env(),
    encoding: 'utf8',
  });
  assert.equal(piped.stderr, '');
  assert.equal(piped.stdout, line.repeat(6).slice(0, 64));
  assert.equal(piped.status, 0);
});
