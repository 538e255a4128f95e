/**
 * The console hub over a real unix socket standing in for QEMU's serial port: batching, flow
 * control with a slow consumer, scroll-back seeded from the log, re-attach, and reconnecting
 * when the connection drops while the machine still runs; and behind the real console keeper,
 * hubs attaching while the guest prints, each with every line exactly once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CONSOLE_BATCH_BYTES, CONSOLE_HIGH_WATER_BYTES, ConsoleHub } from './console-hub.js';
import { ConsoleKeeper } from './console-keeper.js';
import { pollUntil } from './process-watch.js';
import { connectConsoleKeeper, connectSocketConsole } from './socket-console.js';

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

/**
 * A guest that prints numbered lines without pause, in pieces that split lines as a UART does,
 * paced by its socket (a line's number says how far it is).
 */
function numberedPrinter(guest: Socket) {
  let printed = 0;
  let stopped = false;
  const reached = new Set<{ line: number; wake: () => void }>();
  const step = () => {
    if (stopped) return;
    let text = '';
    const lines = 1 + Math.floor(Math.random() * 30);
    for (let i = 0; i < lines; i++) text += `line ${++printed}\n`;
    const cut = Math.floor(Math.random() * text.length);
    guest.write(text.slice(0, cut));
    const drained = guest.write(text.slice(cut));
    for (const waiter of [...reached])
      if (printed >= waiter.line) {
        reached.delete(waiter);
        waiter.wake();
      }
    if (drained) setTimeout(step, 1);
    else guest.once('drain', step);
  };
  step();
  return {
    get printed() {
      return printed;
    },
    /** Resolves once line `line` has been printed. */
    reach: (line: number) =>
      new Promise<void>((wake) => (printed >= line ? wake() : reached.add({ line, wake }))),
    stop() {
      stopped = true;
    },
  };
}

test('a hub that attaches while the guest prints has every line once: the log up to where its stream starts, then the stream', async () => {
  // The scroll-back was read from the log before the hub connected to the keeper: what the guest
  // printed in between was in neither, and a studio reloaded during boot lost the kernel's banner.
  const paths = {
    qemu: join(dir, 'handover.qemu.sock'),
    socket: join(dir, 'handover.keeper.sock'),
    log: join(dir, 'handover.log'),
    lock: join(dir, 'handover.lock'),
  };
  const guestSide = new Promise<Socket>((resolve) => {
    const server = createServer(resolve);
    server.listen(paths.qemu);
    after(() => server.close());
  });
  const keeper = await ConsoleKeeper.start(paths);
  const guest = await guestSide;
  const printer = numberedPrinter(guest);
  const ATTACHES = 40;
  /** Every fourth hub has a scroll-back smaller than the log by then: it holds the log's tail. */
  const SMALL_SCROLLBACK = 8 * 1024;
  const views: { hub: ConsoleHub; scrollback: string; text: () => string; capacity: number }[] = [];
  try {
    for (let i = 0; i < ATTACHES; i++) {
      // Attach at a moment the guest chooses: after a random number of further lines.
      await printer.reach(printer.printed + 1 + Math.floor(Math.random() * 200));
      const capacity = i % 4 === 3 ? SMALL_SCROLLBACK : undefined;
      // A new hub each time, as a process that starts (a reloaded studio, `phantom console`).
      const hub = new ConsoleHub(
        paths.log,
        () => connectConsoleKeeper(paths.socket),
        async () => true,
        capacity,
      );
      const attachment = await hub.attach({ ack: 'auto' });
      let live = '';
      attachment.onData((b) => {
        live += new TextDecoder().decode(b);
      });
      const scrollback = new TextDecoder().decode(attachment.scrollback);
      views.push({ hub, scrollback, text: () => scrollback + live, capacity: capacity ?? Infinity });
    }
    printer.stop();
    const last = `line ${printer.printed}\n`;
    assert.ok(
      await pollUntil(async () => views.every((v) => v.text().endsWith(last)), 20_000),
      `a view never got ${last.trim()}`,
    );
    const log = await readFile(paths.log, 'latin1');
    assert.ok(log.endsWith(last));
    const failures: string[] = [];
    views.forEach((view, i) => {
      const text = view.text();
      if (view.scrollback.length > view.capacity)
        failures.push(`view ${i}: a scroll-back of ${view.scrollback.length} bytes`);
      else if (view.capacity === Infinity ? text !== log : !log.endsWith(text))
        failures.push(`view ${i}: ${describeDifference(log, text)}`);
      else if (
        view.scrollback.length < Math.min(view.capacity, log.length - text.length + view.scrollback.length)
      )
        failures.push(`view ${i}: a scroll-back of ${view.scrollback.length} bytes, less than it holds`);
    });
    assert.deepEqual(failures, [], `${failures.length} of ${ATTACHES} views lost or repeated lines`);
  } finally {
    printer.stop();
    for (const view of views) view.hub.disconnect();
    keeper.close();
  }
});

/** Which line numbers a view lost or repeated, against the log's. */
function describeDifference(log: string, text: string): string {
  const numbers = (s: string) => [...s.matchAll(/^line (\d+)$/gm)].map((m) => Number(m[1]));
  const seen = numbers(text);
  const lost: number[] = [];
  const repeated: number[] = [];
  for (let i = 1; i < seen.length; i++) {
    if (seen[i]! <= seen[i - 1]!) repeated.push(seen[i]!);
    else for (let n = seen[i - 1]! + 1; n < seen[i]!; n++) lost.push(n);
  }
  const all = numbers(log);
  return `lines ${seen[0]}…${seen.at(-1)} of ${all[0]}…${all.at(-1)}, ${lost.length} lost (${lost.slice(0, 5).join(', ')}), ${repeated.length} repeated (${repeated.slice(0, 5).join(', ')})`;
}
