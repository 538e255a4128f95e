// channel-transport.mjs — the debug channel's transports side by side in one run: the virtio-serial
// port and serial port 2 (COM2), each on a guest of its own running the counter (a sleeping thread)
// and tests/lib/spinner.ph (CPU-bound: a console line per 100,000 rounds of a hash loop).
//
// 1. One-page READ_PAGE round trips, one request at a time (the next sent when the last reply is
//    in): p50 and p99, with the spinner running and with the world paused (PAUSE held, as a bulk
//    read of the space does it).
//    The same again through a channel broker (vm-manager's, in a process of its own, as machines
//    have it): what the extra hop between a client and QEMU costs.
// 2. 10,000 small requests (STATS) written as fast as the client can, then as many again each time
//    all are answered, for a window: the spinner's rate and its rate per second of CPU time of
//    QEMU's vCPU thread, beside a quiet window just before on the same guest, and replies/s.
//
// 3. "Now" of the counter machine while it runs (counter and spinner, snapshots every second), as
//    the inspector reads it: the pages that differ from the committed generation (NOW_PAGES at one
//    safe point, or DIRTY_PAGES and those pages with the world paused), the rest from that
//    generation on the store disk (nowHeap), against today's path, every page up to SH_TOP read
//    with the world paused (liveHeap): refreshed once a second for a window each, the spinner's
//    rate beside a quiet window just before, and how long the world was stopped (as the kernel
//    measured it for NOW_PAGES; from PAUSE's reply to RESUME's, so at most that, when paused);
//    then NOW_PAUSES reads back to back for the stop's p99.
// 4. `phantom inspect <machine> summary` of "now" (machineSource and runInspect, as the CLI runs
//    them) of a space holding one million objects (tests/bench/million.ph), both paths alternating
//    (virtio only: today's path over COM2 would read 16 MiB at 4 KiB per ~45 ms, about 5 minutes).
//
// The transports (and kernels, given several) take turns within a round, so all meet the same host
// load; ratios are taken within a round. Usage: node kernel-src/tests/bench/channel-transport.mjs
// [--kernel [NAME=]PATH]... [--transport virtio|serial]... [--rounds N] [--seconds S] [--only rtt|now|million]...
// [--write] (default this tree's
// build/phantom.elf, 1 round, 10 s windows). Prints the accelerator line and the
// tables; --write puts them in kernel-src/docs/bench-channel.md (its "## Transports" section).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as P from '@phantom/inspector/common/debug-protocol.js';
import * as W from '@phantom/lang/common/spec/debug-wire.js';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import { runInspect } from '@phantom/inspector/node/inspect-command.js';
import { liveHeap, nowHeap } from '@phantom/inspector/node/live-source.js';
import { machineSource } from '@phantom/inspector/node/machine-source.js';
import { committedSpaces } from '@phantom/inspector/node/store-file.js';
import { acceleratorLine, benchHeading } from '../../../scripts/bench-header.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { accelerator, DEBUG_TRANSPORTS, kernelDir, kernelPath, tempDir } from '../qemu.mjs';
import { replaceSections } from './doc-sections.mjs';
import { vcpuMs } from '../lib/cpu-time.mjs';

const { values } = parseArgs({
  options: {
    kernel: { type: 'string', multiple: true, default: [kernelPath] },
    transport: { type: 'string', multiple: true, default: DEBUG_TRANSPORTS },
    rounds: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '10' },
    only: { type: 'string', multiple: true, default: ['rtt', 'now', 'million'] },
    write: { type: 'boolean', default: false },
  },
});
const windowMs = Number(values.seconds) * 1000;
const kernels = values.kernel.map((spec) => {
  const at = spec.indexOf('=');
  return at > 0 ? { name: spec.slice(0, at), path: spec.slice(at + 1) } : { name: basename(spec), path: spec };
});
/** Round trips measured per state: a COM2 page takes tens of milliseconds, a virtio one about one. */
const ROUND_TRIPS = { virtio: 400, serial: 60 };
/** The small requests of the flood, written at once. */
const FLOOD_REQUESTS = 10_000;
/** A reply that has not come by then means the channel is stuck. */
const REPLY_DEADLINE_MS = 120_000;
const DOC = join(kernelDir, 'docs', 'bench-channel.md');
/** How often the studio's Now view is refreshed while it is watched, at most. */
const NOW_INTERVAL_MS = 1000;
/** "Now" reads back to back, for the pause's p99. */
const NOW_PAUSES = 200;
/** Object-space size of the million-object machine: a million 16-byte cells and room to collect. */
const MILLION_SPACE_BYTES = 64 << 20;
/** Summaries of the million-object space per path, alternating. */
const MILLION_SUMMARIES = 3;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));


/** Marks the start of a window; end() gives the spinner's lines per second and per vCPU second. */
async function window(machine) {
  const from = performance.now();
  const cpuFrom = await vcpuMs(machine.pid);
  return async () => {
    const to = performance.now();
    const cpuSeconds = ((await vcpuMs(machine.pid)) - cpuFrom) / 1000;
    const spins = machine.lines.filter((l) => l.at >= from && l.at < to && /^spin \d+$/.test(l.line)).length;
    return { spins: spins / ((to - from) / 1000), spinsPerCpu: spins / cpuSeconds };
  };
}

/** A raw connection to the channel: requests by id, replies matched to them. */
async function open(socketPath) {
  const socket = connect(socketPath);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const waiting = new Map();
  let onAny = () => {};
  const decoder = new P.FrameDecoder((frame) => {
    onAny(frame);
    const resolve = waiting.get(frame.id);
    waiting.delete(frame.id);
    resolve?.(frame);
  });
  socket.on('data', (chunk) => decoder.push(chunk));
  let nextId = 1;
  const channel = {
    /** Sends one request; resolves to its reply, rejects if it is not the reply type. */
    async request(type, payload) {
      const id = nextId++;
      const reply = new Promise((resolve, reject) => {
        waiting.set(id, resolve);
        setTimeout(() => reject(new Error(`no reply to request ${id} within ${REPLY_DEADLINE_MS} ms`)), REPLY_DEADLINE_MS).unref();
      });
      socket.write(P.encodeFrame(type, id, payload));
      const frame = await reply;
      if (frame.type !== (type | P.DBG_REPLY_BIT)) throw new Error(`request ${type} got reply type ${frame.type}`);
      return frame;
    },
    /** Writes `count` requests without waiting; `each` sees every frame that arrives. */
    burst(type, count, each) {
      onAny = each;
      const frames = [];
      for (let i = 0; i < count; i++) frames.push(P.encodeFrame(type, nextId++));
      socket.write(Buffer.concat(frames));
    },
    close: () => socket.destroy(),
  };
  await channel.request(P.MessageType.RESET);
  return channel;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** `count` READ_PAGE round trips of page 0 of the live space; p50 and p99 in ms. */
async function roundTrips(channel, count) {
  const page = P.encodeReadPage(P.LIVE_GENERATION, 0);
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const reply = await channel.request(P.MessageType.READ_PAGE, page);
    times.push(performance.now() - start);
    if (reply.payload.length !== P.DBG_PAGE_BYTES) throw new Error(`a page of ${reply.payload.length} bytes`);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), count };
}

/** Floods the channel with FLOOD_REQUESTS STATS at a time for windowMs; the guest's rates and replies. */
async function flood(machine, socketPath) {
  const channel = await open(socketPath);
  try {
    let replies = 0;
    let owed = 0;
    let firstBatchMs;
    const start = performance.now();
    const end = await window(machine);
    const batch = () => {
      owed += FLOOD_REQUESTS;
      channel.burst(P.MessageType.STATS, FLOOD_REQUESTS, () => {
        replies++;
        if (--owed === 0) {
          firstBatchMs ??= performance.now() - start;
          if (performance.now() - start < windowMs) batch();
        }
      });
    };
    batch();
    await sleep(windowMs);
    const rates = await end();
    return { ...rates, repliesPerSecond: replies / (windowMs / 1000), firstBatchMs };
  } finally {
    channel.close(); // the replies still owed go nowhere; the guest is killed after
  }
}

/** Reads "now" with `read` once a second for windowMs: the spinner's rates, pauses (ms) and pages read. */
async function refreshEverySecond(machine, read) {
  const end = await window(machine);
  const start = performance.now();
  const paused = [];
  let pages = 0;
  let oneSafePoint = 0;
  while (performance.now() - start < windowMs) {
    const began = performance.now();
    const r = await read();
    paused.push(r.pausedMs);
    pages += r.pagesRead;
    if (r.oneSafePoint) oneSafePoint++;
    const left = Math.min(NOW_INTERVAL_MS - (performance.now() - began), windowMs - (performance.now() - start));
    if (left > 0) await sleep(left);
  }
  const rates = await end();
  paused.sort((a, b) => a - b);
  return {
    ...rates,
    refreshes: paused.length,
    oneSafePoint,
    p50: percentile(paused, 50),
    max: paused.at(-1),
    pages: pages / paused.length,
  };
}

/** The counter machine's "now", both paths, refreshed once a second; then the new path's pauses back to back. */
async function measureNow(dir, kernel, transport, round) {
  const copy = join(dir, `${kernel.name}.elf`);
  await copyFile(kernel.path, copy);
  const disk = join(dir, `now-${transport}-${round}.img`);
  const programs = [join(kernelDir, '..', 'lang', 'examples', 'counter.ph'), join(kernelDir, 'tests', 'lib', 'spinner.ph')];
  await buildStoreDisk(disk, programs, ['.demo.counter', '.test.spinner']);
  const socketPath = join(dir, `now-${transport}-${round}.sock`);
  const machine = new Machine({
    disk,
    append: 'snap=1000',
    debugSocket: socketPath,
    debugTransport: transport,
    kernel: copy,
    extraArgs: ['-name', `now-${transport},debug-threads=on`],
  });
  try {
    await machine.waitForLine(/^spin 3$/, { deadlineMs: 120_000 });
    const { client, hello } = await DebugClient.connect(socketPath, REPLY_DEADLINE_MS);
    try {
      const committed = committedSpaces(disk);
      process.stderr.write(`channel-transport: round ${round}, ${kernel.name}, ${transport}: "now" once a second\n`);
      const quietEnd = await window(machine);
      await sleep(windowMs);
      const quiet = await quietEnd();
      const fresh = await refreshEverySecond(machine, () => nowHeap(client, hello, committed));
      const today = await refreshEverySecond(machine, () => liveHeap(client, hello));
      const pauses = [];
      let oneSafePoint = 0;
      for (let i = 0; i < NOW_PAUSES; i++) {
        const r = await nowHeap(client, hello, committed);
        pauses.push(r.pausedMs);
        if (r.oneSafePoint) oneSafePoint++;
      }
      pauses.sort((a, b) => a - b);
      const backToBack = { p50: percentile(pauses, 50), p99: percentile(pauses, 99), count: pauses.length, oneSafePoint };
      return { kernel: kernel.name, transport, round, quiet, fresh, today, backToBack };
    } finally {
      client.close();
    }
  } finally {
    await machine.kill();
  }
}

/** `phantom inspect <machine> summary` of "now" through `source`; its time in ms. */
async function timedSummary(source) {
  const start = performance.now();
  let out = '';
  const rc = await runInspect(['summary', '--json'], source, (text) => (out += text), (text) => process.stderr.write(text));
  if (rc !== 0) throw new Error(`summary failed (${rc})`);
  const { objects } = JSON.parse(out);
  return { ms: performance.now() - start, objects };
}

/** The million-object machine's "now" summary, both paths alternating (over virtio). */
async function measureMillion(dir, kernel, round) {
  const copy = join(dir, `${kernel.name}.elf`);
  await copyFile(kernel.path, copy);
  const disk = join(dir, `million-${round}.img`);
  await buildStoreDisk(disk, [join(kernelDir, 'tests', 'bench', 'million.ph')], ['.bench.million'], {
    spaceBytes: MILLION_SPACE_BYTES,
  });
  const socketPath = join(dir, `million-${round}.sock`);
  const machine = new Machine({ disk, append: 'snap=1000', debugSocket: socketPath, debugTransport: 'virtio', kernel: copy });
  try {
    await machine.waitForLine(/^million built$/, { deadlineMs: 600_000 });
    process.stderr.write(`channel-transport: round ${round}, ${kernel.name}: "now" summaries of a million objects\n`);
    const running = async () => true;
    // Committed once, so that "now" starts from a generation that holds the million (as it does a
    // snapshot interval later).
    await withDebugClient(socketPath, (client) => client.snapshotNow());
    const fresh = [];
    const today = [];
    for (let i = 0; i < MILLION_SUMMARIES; i++) {
      fresh.push(await timedSummary(machineSource({ disk, debugSocket: socketPath, running })));
      today.push(
        await withDebugClient(socketPath, (client, hello) =>
          timedSummary({ generations: async () => [], load: async () => ({ ...(await liveHeap(client, hello)), live: true }) }),
        ),
      );
    }
    return { kernel: kernel.name, round, fresh, today };
  } finally {
    await machine.kill();
  }
}

async function withDebugClient(socketPath, body) {
  const { client, hello } = await DebugClient.connect(socketPath, REPLY_DEADLINE_MS);
  try {
    return await body(client, hello);
  } finally {
    client.close();
  }
}

/** vm-manager's channel broker on `kernelSocket`, in a process of its own; its socket and how to stop it. */
async function startBroker(dir, name, kernelSocket) {
  const socket = join(dir, `${name}-broker.sock`);
  const main = join(kernelDir, '..', 'vm-manager', 'dist', 'node', 'channel-broker-main.js');
  const child = spawn(process.execPath, [main, socket, join(dir, `${name}-broker.lock`), kernelSocket], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = performance.now() + 30_000;
  while (!existsSync(socket)) {
    if (performance.now() > deadline || child.exitCode !== null) throw new Error('the channel broker did not start');
    await sleep(20);
  }
  return {
    socket,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function measure(dir, kernel, transport, round) {
  // A copy, so that a rebuild meanwhile cannot touch the kernel measured.
  const copy = join(dir, `${kernel.name}.elf`);
  await copyFile(kernel.path, copy);
  const disk = join(dir, `${transport}-${round}.img`);
  const programs = [join(kernelDir, '..', 'lang', 'examples', 'counter.ph'), join(kernelDir, 'tests', 'lib', 'spinner.ph')];
  await buildStoreDisk(disk, programs, ['.demo.counter', '.test.spinner']);
  const socketPath = join(dir, `${transport}-${round}.sock`);
  const machine = new Machine({
    disk,
    append: 'snap=0',
    debugSocket: socketPath,
    debugTransport: transport,
    kernel: copy,
    extraArgs: ['-name', `transport-${transport},debug-threads=on`],
  });
  try {
    const expected = transport === 'virtio' ? 'virtio-serial port' : 'serial port 2';
    await machine.waitForLine(new RegExp(`^debug: protocol \\d+ on ${expected}`), { deadlineMs: 120_000 });
    await machine.waitForLine(/^spin 3$/, { deadlineMs: 120_000 });
    process.stderr.write(`channel-transport: round ${round}, ${kernel.name}, ${transport}: round trips\n`);
    const channel = await open(socketPath);
    let running;
    let paused;
    try {
      running = await roundTrips(channel, ROUND_TRIPS[transport]);
      await channel.request(P.MessageType.PAUSE);
      paused = await roundTrips(channel, ROUND_TRIPS[transport]);
      await channel.request(P.MessageType.RESUME);
    } finally {
      channel.close();
    }
    process.stderr.write(`channel-transport: round ${round}, ${kernel.name}, ${transport}: round trips through a broker\n`);
    const broker = await startBroker(dir, `${transport}-${round}`, socketPath);
    const brokered = {};
    try {
      const viaBroker = await open(broker.socket);
      try {
        brokered.running = await roundTrips(viaBroker, ROUND_TRIPS[transport]);
        await viaBroker.request(P.MessageType.PAUSE);
        brokered.paused = await roundTrips(viaBroker, ROUND_TRIPS[transport]);
        await viaBroker.request(P.MessageType.RESUME);
      } finally {
        viaBroker.close();
      }
    } finally {
      await broker.stop();
    }
    process.stderr.write(`channel-transport: round ${round}, ${kernel.name}, ${transport}: quiet, then ${FLOOD_REQUESTS} STATS at a time\n`);
    const quietEnd = await window(machine);
    await sleep(windowMs);
    const quiet = await quietEnd();
    const flooded = await flood(machine, socketPath);
    return { kernel: kernel.name, transport, round, running, paused, brokered, quiet, flooded };
  } finally {
    await machine.kill();
  }
}

const ms = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const percent = (a, b) => `${Math.round((100 * a) / b)}%`;

const temp = await tempDir();
try {
  const started = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const results = [];
  const nows = [];
  const millions = [];
  const only = new Set(values.only);
  for (let round = 1; round <= Number(values.rounds); round++)
    for (const kernel of kernels) {
      for (const transport of values.transport) {
        if (only.has('rtt')) results.push(await measure(temp.dir, kernel, transport, round));
        if (only.has('now')) nows.push(await measureNow(temp.dir, kernel, transport, round));
      }
      if (only.has('million') && values.transport.includes('virtio')) millions.push(await measureMillion(temp.dir, kernel, round));
    }
  const command = `node kernel-src/tests/bench/channel-transport.mjs ${process.argv.slice(2).join(' ')}`.trim();
  const lines = [
    benchHeading('## Transports: virtio-serial port and serial port 2', acceleratorLine(accelerator)),
    '',
    `Command: \`${command}\` (${started} UTC, ${values.seconds} s windows, host load average ${loadavg()[0].toFixed(1)} at the start).`,
    '',
    'One-page READ_PAGE round trips, one at a time (ms), with the spinner running and with the world paused; the ratio is COM2 over virtio in the same round:',
    '',
    '| round | kernel | transport | running: p50 | p99 | paused: p50 | p99 | round trips | COM2 / virtio, p50 running | paused |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const virtio = results.find((o) => o.round === r.round && o.kernel === r.kernel && o.transport === 'virtio');
    const ratio =
      r.transport === 'serial' && virtio
        ? `${(r.running.p50 / virtio.running.p50).toFixed(0)}× | ${(r.paused.p50 / virtio.paused.p50).toFixed(0)}×`
        : '— | —';
    lines.push(
      `| ${r.round} | ${r.kernel} | ${r.transport} | ${ms(r.running.p50)} | ${ms(r.running.p99)} | ${ms(r.paused.p50)} | ${ms(r.paused.p99)} | ${r.running.count} + ${r.paused.count} | ${ratio} |`,
    );
  }
  lines.push(
    '',
    "The same round trips through vm-manager's channel broker (a process of its own between the client and QEMU, as every machine has it), on the same guest just after; the ratio is broker over direct:",
    '',
    '| round | kernel | transport | running: p50 | p99 | paused: p50 | p99 | broker / direct, p50 running | paused |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.round} | ${r.kernel} | ${r.transport} | ${ms(r.brokered.running.p50)} | ${ms(r.brokered.running.p99)} | ${ms(r.brokered.paused.p50)} | ${ms(r.brokered.paused.p99)} | ${(r.brokered.running.p50 / r.running.p50).toFixed(2)}× | ${(r.brokered.paused.p50 / r.paused.p50).toFixed(2)}× |`,
    ),
  );
  lines.push(
    '',
    `The guest's throughput while ${FLOOD_REQUESTS.toLocaleString('en')} STATS requests at a time are written as fast as the client can (the next ${FLOOD_REQUESTS.toLocaleString('en')} once all are answered), beside a quiet window just before:`,
    '',
    '| round | kernel | transport | spinner lines/s: quiet → flooded | flooded / quiet | per vCPU second: quiet → flooded | flooded / quiet | replies/s | first 10,000 answered in |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const { round, kernel, transport, quiet, flooded } of results)
    lines.push(
      `| ${round} | ${kernel} | ${transport} | ${quiet.spins.toFixed(2)} → ${flooded.spins.toFixed(2)} | ${percent(flooded.spins, quiet.spins)} | ${quiet.spinsPerCpu.toFixed(2)} → ${flooded.spinsPerCpu.toFixed(2)} | ${percent(flooded.spinsPerCpu, quiet.spinsPerCpu)} | ${flooded.repliesPerSecond.toFixed(0)} | ${flooded.firstBatchMs === undefined ? `not within ${values.seconds} s` : `${(flooded.firstBatchMs / 1000).toFixed(2)} s`} |`,
    );
  if (nows.length) {
    lines.push(
      '',
      `"Now" of the counter machine (counter and spinner, a snapshot every second) read once a second for a window each, beside a quiet window just before: the new path (the pages that differ from the committed generation: NOW_PAGES at one safe point, or DIRTY_PAGES and those pages with the world paused when more than ${W.DBG_MAX_NOW_PAGES}; the rest from that generation on the disk) and today's (every page up to SH_TOP read with the world paused). Stopped: how long the threads waited (ms), as the kernel measured it for NOW_PAGES, else from PAUSE's reply to RESUME's (at most what the world waited); "lost" is 100% less the spinner's rate over the quiet one:`,
      '',
      '| round | kernel | transport | path | refreshes (at one safe point) | pages read each | stopped p50 | max | spinner lines/s | lost | per vCPU second | lost |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    const lost = (a, b) => `${Math.round(100 - (100 * a) / b)}%`;
    for (const { round, kernel, transport, quiet, fresh, today } of nows) {
      lines.push(
        `| ${round} | ${kernel} | ${transport} | quiet | — | — | — | — | ${quiet.spins.toFixed(2)} | — | ${quiet.spinsPerCpu.toFixed(2)} | — |`,
      );
      for (const [path, r] of [
        ['changed pages', fresh],
        ['every page', today],
      ])
        lines.push(
          `| ${round} | ${kernel} | ${transport} | ${path} | ${r.refreshes} (${r.oneSafePoint}) | ${r.pages.toFixed(1)} | ${ms(r.p50)} | ${ms(r.max)} | ${r.spins.toFixed(2)} | ${lost(r.spins, quiet.spins)} | ${r.spinsPerCpu.toFixed(2)} | ${lost(r.spinsPerCpu, quiet.spinsPerCpu)} |`,
        );
    }
    lines.push(
      '',
      `The new path's stop, ${NOW_PAUSES} reads back to back on the same machine (ms, measured as above):`,
      '',
      '| round | kernel | transport | stopped p50 | p99 | at one safe point |',
      '| --- | --- | --- | --- | --- | --- |',
      ...nows.map(
        ({ round, kernel, transport, backToBack: b }) =>
          `| ${round} | ${kernel} | ${transport} | ${ms(b.p50)} | ${ms(b.p99)} | ${b.oneSafePoint} of ${b.count} |`,
      ),
    );
  }
  if (millions.length) {
    const seconds = (list) => list.map((r) => (r.ms / 1000).toFixed(2)).join(', ');
    const median = (list) => [...list].sort((a, b) => a.ms - b.ms)[Math.floor(list.length / 2)].ms;
    lines.push(
      '',
      `\`phantom inspect <machine> summary\` of "now" (connect, read, build the heap, dominators, class table) on a machine holding a list of a million objects (tests/bench/million.ph, ${MILLION_SPACE_BYTES >> 20} MiB space, over virtio), the two paths alternating, ${MILLION_SUMMARIES} each (s):`,
      '',
      '| round | kernel | objects | changed pages + disk | every page over the channel | today / new, medians |',
      '| --- | --- | --- | --- | --- | --- |',
      ...millions.map(
        ({ round, kernel, fresh, today }) =>
          `| ${round} | ${kernel} | ${fresh[0].objects.toLocaleString('en')} | ${seconds(fresh)} | ${seconds(today)} | ${(median(today) / median(fresh)).toFixed(1)}× |`,
      ),
    );
  }
  const section = lines.join('\n');
  console.log(section);
  if (values.write) {
    const document = await readFile(DOC, 'utf8');
    const preamble = document.slice(0, document.search(/^## /m));
    await writeFile(DOC, replaceSections(document, preamble, [{ key: '## Transports', text: `${section}\n` }]));
    process.stderr.write(`channel-transport: wrote ${DOC}\n`);
  }
} finally {
  await temp.cleanup();
}
