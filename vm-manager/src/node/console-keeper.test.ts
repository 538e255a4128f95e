/**
 * The console keeper over a real unix socket standing in for QEMU's console (the QEMU driver's
 * tests and machines.test.ts run it under real QEMU): every byte the guest prints lands in the log
 * exactly once and reaches every client, clients' bytes reach the guest, a client that quits or
 * stops reading disturbs no one, one keeper per machine, and the keeper's own process (started by
 * ensureConsoleKeeper, as the driver does) ends with the console.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isVmError } from '../common/errors.js';
import {
  ConsoleKeeper,
  type ConsoleKeeperPaths,
  ensureConsoleKeeper,
  GREETING_MAX_BYTES,
  keeperGreeting,
  parseKeeperGreeting,
} from './console-keeper.js';
import { pidLockHeld } from './pid-lock.js';
import { pollUntil } from './process-watch.js';

let dir: string;

before(async () => {
  dir = await mkdtemp('/tmp/pkeep-');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A guest's console as QEMU serves it: one connection at a time, handed to the test. */
async function guestConsole(
  name: string,
): Promise<{ paths: ConsoleKeeperPaths; server: Server; next(): Promise<Socket> }> {
  const paths = {
    qemu: join(dir, `${name}.qemu.sock`),
    socket: join(dir, `${name}.keeper.sock`),
    log: join(dir, `${name}.log`),
    lock: join(dir, `${name}.lock`),
  };
  const waiting: ((s: Socket) => void)[] = [];
  const pending: Socket[] = [];
  const server = createServer((socket) => {
    const waiter = waiting.shift();
    if (waiter) waiter(socket);
    else pending.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(paths.qemu, resolve));
  const next = () => {
    const ready = pending.shift();
    return ready ? Promise.resolve(ready) : new Promise<Socket>((resolve) => waiting.push(resolve));
  };
  return { paths, server, next };
}

/** A client of the keeper: `text` is what followed its greeting, `greeting` the greeting line. */
function client(path: string): Promise<{ socket: Socket; text: () => string; greeting: () => string }> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(path);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    const end = () => received.indexOf('\n');
    socket.once('connect', () =>
      resolve({
        socket,
        greeting: () => (end() < 0 ? '' : received.slice(0, end())),
        text: () => (end() < 0 ? '' : received.slice(end() + 1)),
      }),
    );
    socket.once('error', reject);
  });
}

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');

test('every byte is in the log once and reaches every client; clients type to the guest', async () => {
  const { paths, server, next } = await guestConsole('fanout');
  const keeper = await ConsoleKeeper.start(paths);
  try {
    const guest = await next();
    const a = await client(paths.socket);
    const b = await client(paths.socket);
    await pollUntil(async () => keeper.clientCount === 2, 5000);
    // Written a byte at a time in part, as the UART does, and in bursts.
    const text = numbered(1, 20_000);
    for (let i = 0; i < 200; i++) guest.write(text[i]!);
    guest.write(text.slice(200));
    assert.ok(
      await pollUntil(async () => a.text() === text && b.text() === text, 20_000),
      'a client missed output',
    );
    assert.equal(await readFile(paths.log, 'latin1'), text);
    let typed = '';
    guest.on('data', (chunk) => {
      typed += chunk.toString('latin1');
    });
    a.socket.write('ab');
    b.socket.write('c');
    assert.ok(await pollUntil(async () => typed.length === 3, 5000), `the guest got '${typed}'`);
    a.socket.destroy();
    b.socket.destroy();
  } finally {
    keeper.close();
    server.close();
  }
});

test('a client that quits or stops reading costs the others and the log nothing', async () => {
  const { paths, server, next } = await guestConsole('slow');
  const keeper = await ConsoleKeeper.start(paths);
  try {
    const guest = await next();
    const stuck = await client(paths.socket);
    stuck.socket.pause();
    const quitter = await client(paths.socket);
    const reader = await client(paths.socket);
    await pollUntil(async () => keeper.clientCount === 3, 5000);
    const text = numbered(1, 100_000);
    guest.write(text.slice(0, 1000));
    quitter.socket.destroy();
    guest.write(text.slice(1000));
    assert.ok(
      await pollUntil(async () => reader.text() === text, 20_000),
      `the reader has ${reader.text().length} of ${text.length}`,
    );
    assert.equal(await readFile(paths.log, 'latin1'), text);
    stuck.socket.destroy();
  } finally {
    keeper.close();
    server.close();
  }
});

test('each client is first told the log offset its stream starts at', async () => {
  const { paths, server, next } = await guestConsole('offset');
  const keeper = await ConsoleKeeper.start(paths);
  try {
    const guest = await next();
    const early = await client(paths.socket);
    await pollUntil(async () => early.greeting() !== '', 5000);
    assert.equal(parseKeeperGreeting(early.greeting()), 0);
    guest.write(numbered(1, 100));
    assert.ok(await pollUntil(async () => early.text() === numbered(1, 100), 5000));
    // A mark another process appends (console-hub.ts) is before the next client's start too.
    await appendFile(paths.log, '── marked ──\n');
    const late = await client(paths.socket);
    await pollUntil(async () => late.greeting() !== '', 5000);
    const offset = parseKeeperGreeting(late.greeting());
    assert.equal(offset, Buffer.byteLength(`${numbered(1, 100)}── marked ──\n`));
    guest.write(numbered(101, 200));
    assert.ok(await pollUntil(async () => late.text() === numbered(101, 200), 5000), late.text());
    assert.equal((await readFile(paths.log)).subarray(offset).toString('latin1'), numbered(101, 200));
    early.socket.destroy();
    late.socket.destroy();
  } finally {
    keeper.close();
    server.close();
  }
});

test('a greeting is read back as its offset; anything else is not a greeting', () => {
  for (const offset of [0, 1, 123_456_789_012])
    assert.equal(parseKeeperGreeting(keeperGreeting(offset).trimEnd()), offset);
  assert.ok(keeperGreeting(Number.MAX_SAFE_INTEGER).length <= GREETING_MAX_BYTES);
  for (const line of [
    '',
    'tick 1',
    'phantom-console-keeper 1 log-offset ',
    'phantom-console-keeper 1 log-offset -1',
    'phantom-console-keeper 2 log-offset 5',
    'phantom-console-keeper 1 log-offset 1e3',
  ])
    assert.equal(parseKeeperGreeting(line), undefined, line);
});

test('one keeper per machine: a second is refused while the first serves', async () => {
  const { paths, server } = await guestConsole('one');
  const keeper = await ConsoleKeeper.start(paths);
  try {
    await assert.rejects(ConsoleKeeper.start(paths), (err) => isVmError(err) && err.code === 'machine-busy');
  } finally {
    keeper.close();
    server.close();
  }
});

test('the keeper process keeps the log after its starter is gone, and ends with the console', async () => {
  const { paths, server, next } = await guestConsole('process');
  try {
    const socket = await ensureConsoleKeeper(paths, join(dir, 'process.keeper.log'));
    assert.equal(socket, paths.socket);
    const pid = Number(await readFile(paths.lock, 'utf8'));
    assert.notEqual(pid, process.pid, 'the keeper runs in a process of its own');
    const guest = await next();
    // No client: the keeper reads and logs all the same (a machine started by a CLI that exited).
    guest.write('booted\n');
    assert.ok(
      await pollUntil(
        async () => (await readFile(paths.log, 'latin1').catch(() => '')) === 'booted\n',
        10_000,
      ),
    );
    // Asked again, the running keeper is reused.
    assert.equal(await ensureConsoleKeeper(paths, join(dir, 'process.keeper.log')), paths.socket);
    assert.equal(Number(await readFile(paths.lock, 'utf8')), pid);
    guest.destroy();
    assert.ok(
      await pollUntil(async () => !(await pidLockHeld(paths.lock)), 10_000),
      'the keeper outlived its console',
    );
    assert.ok(!existsSync(paths.socket));
    // Gone, or a zombie its starter (this process) has yet to reap.
    const running = () => {
      try {
        return !/Z/.test(execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }));
      } catch {
        return false;
      }
    };
    assert.ok(await pollUntil(async () => !running(), 10_000), 'the keeper process did not exit');
  } finally {
    server.close();
  }
});
