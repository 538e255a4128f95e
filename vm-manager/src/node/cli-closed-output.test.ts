/**
 * `phantom … | head`: a command whose reader goes away after the first bytes ends quietly, with
 * its own exit status and nothing on stderr but its own messages (no EPIPE stack trace), as the
 * CLI's users pipe it. The console, which would otherwise run until Ctrl-], detaches.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import {
  BOOT_DEADLINE_MS,
  buildTickKernel,
  PHANTOM_CLI,
  runPhantom,
  type TestState,
  temporaryState,
} from '../test-support/fixtures.js';

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

test('phantom console detaches once its reader has gone, though its input stays open', async () => {
  // Started by `phantom up`, which exits, as a user does: the console's one connection is then
  // free for `phantom console` (a Machines of this process would hold it).
  const up = await runPhantom(['up', 'console', '--kernel', await buildTickKernel(state.root)], env());
  assert.equal(up.code, 0, up.stderr);
  // stdin a pipe left open: only the closed output can end the command.
  const child = spawn('bash', ['-o', 'pipefail', '-c', intoHead('console console', 16)], {
    env: env(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => {
    stdout += t;
  });
  child.stderr.setEncoding('utf8').on('data', (t: string) => {
    stderr += t;
  });
  const status = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => resolve('still attached'), BOOT_DEADLINE_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code ?? -1);
    });
  });
  child.stdin.end();
  assert.equal(status, 0, stderr);
  assert.equal(stdout.length, 16);
  assert.match(stderr, /^attached to 'console'; Ctrl-\] detaches\r\n\r\ndetached from 'console'\r\n$/);
});
