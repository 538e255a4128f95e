/**
 * The QMP client against a real QEMU (no guest: `-machine none`, stopped) and against sockets
 * that misbehave: typed replies, QEMU's errors, events, timeouts and a QEMU that dies mid-call.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isVmError } from '../common/errors.js';
import { pollUntil } from './process-watch.js';
import { QmpClient } from './qmp-client.js';

let dir: string;
let qemu: ChildProcess;
let socket: string;

before(async () => {
  dir = await mkdtemp('/tmp/pqmp-');
  socket = join(dir, 'qmp.sock');
  qemu = spawn(
    'qemu-system-i386',
    [
      '-machine',
      'none',
      '-S',
      '-display',
      'none',
      '-nodefaults',
      '-qmp',
      `unix:${socket},server=on,wait=off`,
    ],
    { stdio: 'ignore' },
  );
  const up = await pollUntil(
    async () =>
      QmpClient.connect(socket, 1000).then(
        (c) => {
          c.close();
          return true;
        },
        () => false,
      ),
    60_000,
    100,
  );
  assert.ok(up, 'QEMU did not serve QMP');
});

after(async () => {
  qemu.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

test('typed replies, QEMU errors as qmp-error, and events', async () => {
  const qmp = await QmpClient.connect(socket);
  try {
    const status = await qmp.execute('query-status', {});
    assert.equal(status.running, false);
    assert.equal(status.status, 'prelaunch');
    await assert.rejects(
      qmp.execute('job-dismiss', { id: 'no-such-job' }),
      (err) => isVmError(err, 'qmp-error') && /Job not found/.test(err.message),
    );
    const resumed = qmp.waitForEvent((e) => e.event === 'RESUME', 10_000, 'RESUME');
    await qmp.execute('cont', {});
    assert.equal((await resumed).event, 'RESUME');
    assert.equal(qmp.malformedFrames, 0);
  } finally {
    qmp.close();
  }
});

test('a missing socket is hypervisor-failed; a peer that never greets is a timeout', async () => {
  await assert.rejects(QmpClient.connect(join(dir, 'absent.sock'), 1000), (err) =>
    isVmError(err, 'hypervisor-failed'),
  );
  const silent = join(dir, 'silent.sock');
  const server: Server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(silent, resolve));
  try {
    await assert.rejects(QmpClient.connect(silent, 300), (err) => isVmError(err, 'timeout'));
  } finally {
    server.close();
  }
});

test('a peer that sends garbage is survived and its frames counted', async () => {
  const noisy = join(dir, 'noisy.sock');
  const server = createServer((conn) => {
    conn.write(
      '{"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}, "package": ""}, "capabilities": []}}\n',
    );
    conn.on('data', (text) => {
      const { id } = JSON.parse(String(text).split('\n')[0]!) as { id: string };
      conn.write(`garbage\n[1,2]\n{"return": {}, "id": "unknown"}\n{"return": {}, "id": "${id}"}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(noisy, resolve));
  try {
    const qmp = await QmpClient.connect(noisy, 5000);
    assert.equal(qmp.malformedFrames, 3);
    qmp.close();
  } finally {
    server.close();
  }
});

test('QEMU dying mid-call rejects the call with hypervisor-failed', async () => {
  const qmp = await QmpClient.connect(socket);
  const never = qmp.waitForEvent(() => false, 60_000, 'an event that never comes');
  qemu.kill('SIGKILL');
  await assert.rejects(never, (err) => isVmError(err, 'hypervisor-failed'));
  await assert.rejects(qmp.execute('query-status', {}), (err) => isVmError(err, 'hypervisor-failed'));
});
