// Live refresh cost: what keeping the inspector's view of a running machine fresh costs the
// guest. One machine (the kernel in QEMU, snapshots every SNAPSHOT_MS) runs a CPU-bound program
// that also rewrites DATA_PAGES pages as it goes and prints its cumulative work units; the host
// timestamps those lines. In interleaved phases of PHASE_MS, repeated ROUNDS times, the host
// either leaves the machine alone or refreshes a view once per snapshot interval in one of three
// ways: "now" read through the debug channel with the world paused (the studio's live read),
// the generation just committed read through the channel (READ_PAGE of that generation; the
// world runs on), or that generation read from the store disk on the host. Reports the guest's
// throughput in each mode against the phases left alone, how long a refresh takes, and the
// view's age when the next one replaces it. Run by `npm run bench -w inspector` (after a build,
// with kernel-src/build/phantom.elf); writes its section of docs/bench-inspector.md.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { acceleratorLine, benchHeading } from '../../scripts/bench-header.mjs';
import { DebugClient } from '../dist/node/debug-client.js';
import { liveHeap, liveSource } from '../dist/node/live-source.js';
import { followCommitted } from '../dist/node/live-view.js';
import { bootMachine } from '../dist/node/test-machine.test.js';
import { writeSection } from './doc.mjs';
import { DATA_PAGES, spread, throughputTable, viewAges, workerProgram } from './live-bench.mjs';

/** The kernel's snapshot interval, and so the refresh period. */
const SNAPSHOT_MS = 1000;
/** Length of one measured phase; long enough for several refreshes and many work lines. */
const PHASE_MS = Number(process.env.PHASE_MS ?? 5000);
/** Repeats of the interleaved sequence of modes. */
const ROUNDS = Number(process.env.ROUNDS ?? 6);
/** Lines polled off the console this often (ms): the timestamps' resolution. */
const POLL_MS = 2;

const PROGRAM = workerProgram('inspector/bench/live-refresh.mjs');

const MODES = ['alone', 'now, world paused', 'committed, via channel', 'committed, from disk'];

const machine = bootMachine({
  name: 'live-bench',
  source: PROGRAM,
  mainClass: '.bench.worker',
  append: `snap=${SNAPSHOT_MS}`,
});
/** [host arrival ms, cumulative units, guest machine ms] of every console line "units N at T". */
const progress = [];
let consumed = 0;
const poller = setInterval(() => {
  const text = machine.console();
  const end = text.lastIndexOf('\n') + 1;
  if (end <= consumed) return;
  const now = performance.now();
  for (const m of text.slice(consumed, end).matchAll(/^units (\d+) at (\d+)\r?$/gm))
    progress.push([now, Number(m[1]), Number(m[2])]);
  consumed = end;
}, POLL_MS);

/**
 * Units per second of machine time across a phase [from, to]: from the last line that arrived
 * before it to the first that arrived after it (waiting for that one). The guest stamps each line
 * itself, so the host's delivery delays do not blur the rate.
 */
async function rate(from, to) {
  const deadline = performance.now() + 60_000;
  while (!progress.some(([t]) => t >= to)) {
    if (performance.now() > deadline) throw new Error('the program printed nothing for a minute');
    await sleep(10);
  }
  const before = progress.findLastIndex(([t]) => t <= from);
  const [, u0, g0] = progress[Math.max(0, before)];
  const [, u1, g1] = progress.find(([t]) => t >= to);
  return ((u1 - u0) * 1000) / (g1 - g0);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Refreshes the view in `mode` until stop() is called; resolves with each refresh's duration and
 * its view's consistency moment and readiness (host ms), for the ages.
 */
function refresher(mode, client, hello) {
  const views = [];
  let stopped = false;
  let running = Promise.resolve();
  const channel = liveSource(client, hello);
  const refresh = async (consistentAt, read) => {
    const start = performance.now();
    await read();
    views.push({ consistentAt, start, ready: performance.now() });
  };
  let loop;
  let listener;
  if (mode === 'now, world paused') {
    loop = (async () => {
      while (!stopped) {
        const start = performance.now();
        await refresh(start, () => liveHeap(client, hello));
        await sleep(Math.max(0, start + SNAPSHOT_MS - performance.now()));
      }
    })();
  } else if (mode === 'committed, from disk') {
    listener = followCommitted(client, machine.image, (view) => {
      views.push({ consistentAt: view.announcedAt, start: view.announcedAt, ready: performance.now() });
    });
  } else if (mode === 'committed, via channel') {
    let busy = false;
    listener = client.onDidCommitGeneration((g) => {
      if (stopped || busy) return; // still reading the last one: this view would be no fresher
      busy = true;
      running = refresh(performance.now(), () => channel.load(g.number)).finally(() => {
        busy = false;
      });
    });
  }
  return async () => {
    stopped = true;
    listener?.dispose();
    await loop;
    await running;
    return views;
  };
}

try {
  await machine.waitFor(/units \d+/, 90_000);
  const { client, hello } = await DebugClient.connect(machine.socket, 60_000);
  await sleep(2 * SNAPSHOT_MS); // past the first generations, which write the whole space
  const pagesUsed = Math.ceil(((await client.stats()).spaceTop - hello.spaceBase) / 4096);
  const results = new Map(MODES.map((m) => [m, { rates: [], phases: [] }]));
  const loads = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts one mode later, so no mode always follows the same one.
    for (const mode of MODES.map((_, i) => MODES[(i + round) % MODES.length])) {
      const stop = refresher(mode, client, hello);
      const from = performance.now();
      await sleep(PHASE_MS);
      const to = performance.now();
      const views = await stop();
      const r = results.get(mode);
      r.rates.push(await rate(from, to));
      r.phases.push(views);
      loads.push(loadavg()[0]);
      console.log(
        `round ${round + 1} ${mode}: ${r.rates.at(-1).toFixed(0)} units/s, ${views.length} refreshes`,
      );
    }
  }
  client.close();

  const table = throughputTable(
    MODES,
    'alone',
    results,
    [
      'refresh',
      'guest units/s (mean)',
      'throughput vs. alone (sum over rounds)',
      'per-round ratios',
      'loss',
      'refreshes',
      'refresh p50 / max',
      'view age when replaced p50 / max',
    ],
    (phases) => [spread(phases.flat().map((v) => v.ready - v.start)), spread(viewAges(phases))],
  );
  const load = `${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`;
  writeSection(
    'live-refresh',
    `${benchHeading('## Live refresh: what a fresh view costs the running guest', acceleratorLine(machine.accelerator))}

Command: \`npm run bench -w inspector\` (\`bench/live-refresh.mjs\`; Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, QEMU on a
shared host, load average ${load} during the run).

One machine, snapshots every ${SNAPSHOT_MS} ms, a CPU-bound program that rewrites ${DATA_PAGES} pages per work unit
(space ${hello.spaceSize >> 20} MiB, ${pagesUsed} pages in use). ${ROUNDS} rounds of ${PHASE_MS / 1000} s phases, the modes interleaved within
each round, each round starting one mode later. Throughput is counted in machine time the guest
stamps on its own lines; the ratio is a mode's units over all rounds against the phases left alone,
and each round's own ratio is listed for the spread (the host's load moves it a lot). A refresh is
once per snapshot interval: "now" pauses the world, reads every page up to the space's top over the
debug channel and resumes (what the studio's live read does); "committed" reads the generation just
announced (EV_GENERATION), over the channel or from the store disk on the host (\`followCommitted\`,
src/node/live-view.ts). A view's age is how
old its moment of consistency is when the next view replaces it (committed views count from the
announcement; the generation was frozen earlier by its write and commit time).

${table}

Goal: a consistent view at most one snapshot interval old, with under 5 % throughput loss.
`,
  );
  console.log(table);
} finally {
  clearInterval(poller);
  machine.dispose();
}
