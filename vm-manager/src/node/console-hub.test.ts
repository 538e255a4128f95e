/**
 * The console hub over a real unix socket standing in for QEMU's serial port: batching, flow
 * control with a slow consumer, scroll-back seeded from the log, re-attach, and reconnecting
 * when the connection drops while the machine still runs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CONSOLE_BATCH_BYTES, CONSOLE_HIGH_WATER_BYTES, ConsoleHub } from './console-hub.js';
import { pollUntil } from './process-watch.js';
import { connectSocketConsole } from './socket-console.js';

let dir: string;

before(async () => {
  dir = await mkdtemp('/tmp/pcon-');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A serial port: a unix socket server that hands each connection to the test. */
async function serialPort(name: string): Promise<{ path: string; server: Server; next(): Promise<Socket> }> {
  const path = join(dir, `${name}.sock`);
  const pending: Socket[] = [];
  const waiting: ((s: Socket) => void)[] = [];
  const server = createServer((socket) => {
    const waiter = waiting.shift();
    if (waiter) waiter(socket);
    else pending.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    server,
    next: () => {
      const ready = pending.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** A hub on a new serial port whose console log already holds `logText`, for a running machine. */
async function hubWithLog(name: string, logText: string) {
  const port = await serialPort(name);
  const log = join(dir, `${name}.log`);
  await writeFile(log, logText);
  const hub = new ConsoleHub(
    log,
    () => connectSocketConsole(port.path),
    async () => true,
  );
  return { port, log, hub };
}

test('output is batched, and the scroll-back starts with the log', async () => {
  const { port, hub } = await hubWithLog('batch', 'from the log\n');
  try {
    const attachment = await hub.attach({ ack: 'auto' });
    assert.equal(new TextDecoder().decode(attachment.scrollback), 'from the log\n');
    const guest = await port.next();
    const batches: Uint8Array[] = [];
    attachment.onData((b) => batches.push(b));
    for (let i = 0; i < 50; i++) guest.write(`line ${i}\n`);
    const expected = Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join('');
    assert.ok(
      await pollUntil(async () => batches.reduce((n, b) => n + b.length, 0) === expected.length, 10_000),
    );
    assert.equal(batches.map((b) => new TextDecoder().decode(b)).join(''), expected);
    assert.ok(batches.length < 50, `${batches.length} batches for 50 writes`);
    attachment.dispose();
    const again = await hub.attach({ ack: 'auto' });
    assert.match(new TextDecoder().decode(again.scrollback), /^from the log\nline 0\n[\s\S]*line 49\n$/);
  } finally {
    hub.disconnect();
    port.server.close();
  }
});

test('a mark is a line of its own: live, in the log, and in a later scroll-back', async () => {
  const { port, log, hub } = await hubWithLog('mark', 'tick 1\n');
  try {
    const attachment = await hub.attach({ ack: 'auto' });
    const received: string[] = [];
    attachment.onData((b) => received.push(new TextDecoder().decode(b)));
    const guest = await port.next();
    guest.write('tick 2');
    assert.ok(await pollUntil(async () => received.join('') === 'tick 2', 10_000));
    await hub.mark('rolled back to generation 7');
    const mark = /\r\n── rolled back to generation 7 \(\d\d:\d\d:\d\d\) ──\r\n$/;
    assert.ok(await pollUntil(async () => mark.test(received.join('')), 10_000), received.join(''));
    assert.match(await readFile(log, 'utf8'), mark);
    const later = await hub.attach({ ack: 'auto' });
    assert.match(new TextDecoder().decode(later.scrollback), /^tick 1\ntick 2\r\n── rolled back/);
  } finally {
    hub.disconnect();
    port.server.close();
  }
});

test('a view that does not keep up never holds up the guest: it skips, is told how much, and goes on', async () => {
  const port = await serialPort('flow');
  const hub = new ConsoleHub(
    join(dir, 'none.log'),
    () => connectSocketConsole(port.path),
    async () => true,
  );
  try {
    const slow = await hub.attach({ ack: 'manual' });
    // A reader that takes everything at once (the CLI's auto-acknowledged attachment).
    const all = await hub.attach({ ack: 'auto' });
    const guest = await port.next();
    const total = 4 * 1024 * 1024;
    let slowText = '';
    let received = 0;
    let biggest = 0;
    let allReceived = 0;
    slow.onData((b) => {
      received += b.length;
      biggest = Math.max(biggest, b.length);
      slowText += new TextDecoder().decode(b);
    });
    all.onData((b) => {
      allReceived += b.length;
    });
    const written = new Promise<void>((resolve) =>
      guest.write(new Uint8Array(total).fill(0x61), () => resolve()),
    );
    // The hub reads on although the slow view acknowledges nothing: the guest's writes all drain.
    assert.ok(
      await pollUntil(async () => allReceived === total, 30_000),
      `the hub read ${allReceived} of ${total}`,
    );
    await written;
    const before = received;
    assert.ok(before >= CONSOLE_HIGH_WATER_BYTES && before < total, `the slow view got ${before} bytes`);
    assert.ok(biggest <= CONSOLE_BATCH_BYTES + 256 * 1024, `a batch of ${biggest} bytes`);
    // Caught up: told what it missed, in a line of its own, then fed again.
    slow.ack(received);
    assert.ok(
      await pollUntil(async () => /bytes not shown here/.test(slowText), 5000),
      'no word of what was skipped',
    );
    const missed = Number(
      /── ([\d,]+) bytes not shown here: this view fell behind the machine; the console's log has them ──/
        .exec(slowText)?.[1]
        ?.replace(/,/g, ''),
    );
    assert.equal(missed, total - before);
    slow.ack(received);
    guest.write('after\n');
    assert.ok(
      await pollUntil(async () => slowText.endsWith('after\n'), 5000),
      'nothing arrived after catching up',
    );
  } finally {
    hub.disconnect();
    port.server.close();
  }
});

test('a dropped connection is re-made while the machine runs, and ends the attachments when it does not', async () => {
  const port = await serialPort('drop');
  let machineRuns = true;
  const hub = new ConsoleHub(
    join(dir, 'none.log'),
    () => connectSocketConsole(port.path),
    async () => machineRuns,
  );
  try {
    const attachment = await hub.attach({ ack: 'auto' });
    let text = '';
    let closed = false;
    attachment.onData((b) => {
      text += new TextDecoder().decode(b);
    });
    attachment.onDidClose(() => {
      closed = true;
    });
    (await port.next()).destroy();
    const second = await port.next();
    second.write('after the drop\n');
    assert.ok(await pollUntil(async () => text.includes('after the drop'), 10_000));
    assert.equal(closed, false);
    machineRuns = false;
    second.destroy();
    assert.ok(await pollUntil(async () => closed, 10_000), 'the attachment did not end');
  } finally {
    hub.disconnect();
    port.server.close();
  }
});
