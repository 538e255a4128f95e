// channel-transport.mjs — the debug channel's transports side by side in one run: the virtio-serial
// port and serial port 2 (COM2), each on a guest of its own running the counter (a sleeping thread)
// and tests/lib/spinner.ph (CPU-bound: a console line per 100,000 rounds of a hash loop).
//
// 1. One-page READ_PAGE round trips, one request at a time (the next sent when the last reply is
//    in): p50 and p99, with the spinner running and with the world paused (PAUSE held, as a bulk
//    read of the space does it).
// 2. 10,000 small requests (STATS) written as fast as the client can, then as many again each time
//    all are answered, for a window: the spinner's rate and its rate per second of CPU time of
//    QEMU's vCPU thread, beside a quiet window just before on the same guest, and replies/s.
//
// The transports (and kernels, given several) take turns within a round, so all meet the same host
// load; ratios are taken within a round. Usage: node kernel-src/tests/bench/channel-transport.mjs
// [--kernel [NAME=]PATH]... [--transport virtio|serial]... [--rounds N] [--seconds S] [--write] (default this tree's
// build/phantom.elf, 1 round, 10 s windows). Prints the accelerator line and the
// tables; --write puts them in kernel-src/docs/bench-channel.md (its "## Transports" section).
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as P from '@phantom/inspector/common/debug-protocol.js';
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
    process.stderr.write(`channel-transport: round ${round}, ${kernel.name}, ${transport}: quiet, then ${FLOOD_REQUESTS} STATS at a time\n`);
    const quietEnd = await window(machine);
    await sleep(windowMs);
    const quiet = await quietEnd();
    const flooded = await flood(machine, socketPath);
    return { kernel: kernel.name, transport, round, running, paused, quiet, flooded };
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
  for (let round = 1; round <= Number(values.rounds); round++)
    for (const kernel of kernels)
      for (const transport of values.transport) results.push(await measure(temp.dir, kernel, transport, round));
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
    `The guest's throughput while ${FLOOD_REQUESTS.toLocaleString('en')} STATS requests at a time are written as fast as the client can (the next ${FLOOD_REQUESTS.toLocaleString('en')} once all are answered), beside a quiet window just before:`,
    '',
    '| round | kernel | transport | spinner lines/s: quiet → flooded | flooded / quiet | per vCPU second: quiet → flooded | flooded / quiet | replies/s | first 10,000 answered in |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const { round, kernel, transport, quiet, flooded } of results)
    lines.push(
      `| ${round} | ${kernel} | ${transport} | ${quiet.spins.toFixed(2)} → ${flooded.spins.toFixed(2)} | ${percent(flooded.spins, quiet.spins)} | ${quiet.spinsPerCpu.toFixed(2)} → ${flooded.spinsPerCpu.toFixed(2)} | ${percent(flooded.spinsPerCpu, quiet.spinsPerCpu)} | ${flooded.repliesPerSecond.toFixed(0)} | ${flooded.firstBatchMs === undefined ? `not within ${values.seconds} s` : `${(flooded.firstBatchMs / 1000).toFixed(2)} s`} |`,
    );
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
