// What the studio following a machine live costs the guest: the peer of
// inspector/bench/live-refresh.mjs, for the studio's whole path rather than one way of reading.
// One machine, started by the host's MachineService (kernel from this checkout, a boot image of a
// CPU-bound program that rewrites DATA_PAGES pages per work unit and prints its cumulative units
// with the machine time), snapshots every second. In interleaved phases of PHASE_MS, ROUNDS
// times, the studio either does not follow it (no renderer subscribed: the host holds no
// debug-channel connection), or the host follows it (subscribed: each EV_GENERATION is read from
// the store disk and announced), or the studio follows it (the host as before, and for each
// announced generation what a following renderer does: `inspector.space` through the host with
// its base64 reply, decoded, indexed, dominators, class summary, threads, and the open pane's
// changes — in this process, without the DOM). Reports the guest's throughput in each mode
// against the phases not followed, and how old a view is when the next replaces it.
// Writes its section of docs/bench-inspector.md.
//
//   node shell/bench/live-follow.mjs        (after a build: npm run build)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { classSummary, dominators, instancesOf } from '@phantom/inspector/common/graph.js';
import { HeapSnapshot } from '@phantom/inspector/common/heap.js';
import { objectChange } from '@phantom/inspector/common/object-changes.js';
import { threads } from '@phantom/inspector/common/objects.js';
import { writeSection } from '../../inspector/bench/doc.mjs';
import {
  DATA_PAGES,
  spread,
  throughputTable,
  viewAges,
  workerProgram,
} from '../../inspector/bench/live-bench.mjs';
import { acceleratorLine, benchHeading } from '../../scripts/bench-header.mjs';
import { InspectorSpaces } from '../dist/host/inspector-spaces.js';
import { MachineService } from '../dist/host/machine-service.js';

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
/** The machine's snapshot interval (vm-manager's default): one view per second when following. */
const SNAPSHOT_MS = 1000;
const PHASE_MS = Number(process.env.PHASE_MS ?? 6000);
const ROUNDS = Number(process.env.ROUNDS ?? 6);
/** Object-pane elements compared per refresh, as the panes show them. */
const ELEMENTS_PER_PAGE = 100;

const PROGRAM = workerProgram('shell/bench/live-follow.mjs');

const MODES = ['not followed', 'host follows', 'studio follows'];
const NAME = 'bench';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const dir = mkdtempSync(join(tmpdir(), 'ph-live-follow-'));
const imagesDir = join(dir, 'images');
mkdirSync(imagesDir);
writeFileSync(join(dir, 'worker.ph'), PROGRAM);
writeFileSync(
  join(imagesDir, 'worker.json'),
  JSON.stringify({
    description: 'the live-follow worker',
    programs: ['../worker.ph'],
    mainClasses: ['.bench.worker'],
  }),
);
execFileSync(process.execPath, [
  ...[join(repo, 'lang/bin/phc.mjs'), 'image', join(dir, 'worker.ph'), '--main', '.bench.worker'],
  ...['-o', join(imagesDir, 'worker.img')],
]);
const service = new MachineService(join(dir, 'machines'), {
  kernelPath: join(repo, 'kernel-src/build/phantom.elf'),
  imagesDir,
});
const spaces = new InspectorSpaces(service);

/** [host ms, cumulative units, machine ms] of every console line. */
const progress = [];
let pending = '';

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

/** What a following renderer does with one announced generation; returns when it is shown. */
async function render(generation, previous) {
  const space = await spaces.space(NAME, generation);
  // The API's reply, as services.ts sends it and the renderer decodes it.
  const text = Buffer.from(space.bytes.buffer, space.bytes.byteOffset, space.bytes.length).toString('base64');
  const heap = new HeapSnapshot(new Uint8Array(Buffer.from(text, 'base64')));
  classSummary(heap, dominators(heap));
  threads(heap);
  const [worker] = instancesOf(heap, '.bench.worker');
  if (previous && worker !== undefined) objectChange(previous, heap, heap.addr[worker], ELEMENTS_PER_PAGE);
  return heap;
}

/** Follows in `mode` until the returned stop() is called; resolves with the views' times. */
function follower(mode) {
  if (mode === 'not followed') return async () => [];
  const views = [];
  let previous;
  let busy = false;
  let newest;
  const show = async () => {
    while (newest) {
      const { generation, announcedAt } = newest;
      newest = undefined;
      previous = await render(generation, previous);
      views.push({ consistentAt: announcedAt, ready: performance.now() });
    }
    busy = false;
  };
  const unsubscribe = service.subscribe((event) => {
    if (event.event !== 'machine.generation' || event.data.machine !== NAME) return;
    if (mode === 'host follows') {
      views.push({ consistentAt: performance.now(), ready: performance.now() });
      return;
    }
    newest = { generation: event.data.generation, announcedAt: performance.now() };
    if (!busy) {
      busy = true;
      void show();
    }
  });
  return async () => {
    unsubscribe();
    return views;
  };
}

try {
  await service.create(NAME, 'worker');
  await service.start(NAME);
  // The service's answer for the kernel it was given, which its machines boot.
  const accelerator = await service.accelerator();
  const console_ = await service.attachConsole(NAME);
  console_.onData((chunk) => {
    const now = performance.now();
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      const m = /^units (\d+) at (\d+)\r?$/.exec(line);
      if (m) progress.push([now, Number(m[1]), Number(m[2])]);
    }
  });
  const deadline = performance.now() + 120_000;
  while (progress.length < 3) {
    if (performance.now() > deadline) throw new Error('the program printed nothing within 2 min');
    await sleep(100);
  }
  await sleep(2 * SNAPSHOT_MS);
  const results = new Map(MODES.map((m) => [m, { rates: [], phases: [] }]));
  const loads = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES.map((_, i) => MODES[(i + round) % MODES.length])) {
      const stop = follower(mode);
      const from = performance.now();
      await sleep(PHASE_MS);
      const to = performance.now();
      const views = await stop();
      const r = results.get(mode);
      r.rates.push(await rate(from, to));
      r.phases.push(views);
      loads.push(loadavg()[0]);
      console.log(`round ${round + 1} ${mode}: ${r.rates.at(-1).toFixed(0)} units/s, ${views.length} views`);
    }
  }
  console_.dispose();
  const space = await spaces.space(NAME);
  const usedKiB = Math.round(space.bytes.length / 1024);

  const table = throughputTable(
    MODES,
    'not followed',
    results,
    [
      'studio',
      'guest units/s (mean)',
      'throughput vs. not followed (sum over rounds)',
      'per-round ratios',
      'loss',
      'views',
      'view age when replaced p50 / max',
    ],
    (phases) => [spread(viewAges(phases))],
  );
  const load = `${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`;
  writeSection(
    'live-follow',
    `${benchHeading('## The studio following a machine: what it costs the guest', acceleratorLine({ accel: accelerator.name, why: accelerator.why }))}

Command: \`node shell/bench/live-follow.mjs\` (after \`npm run build\`; Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, QEMU on a
shared host of 2 cores, load average ${load} during the run).

The peer of the live-refresh table above, for the studio's whole path: a machine started by the
host's MachineService (a CPU-bound program rewriting ${DATA_PAGES} pages per work unit; ${usedKiB} KiB of the space in
use), snapshots every ${SNAPSHOT_MS} ms; ${ROUNDS} rounds of ${PHASE_MS / 1000} s phases, the modes interleaved, each round
starting one mode later. "Not followed": no renderer subscribed, so the host holds no connection
to the debug channel. "Host follows": subscribed; the host reads each announced generation from
the store disk (\`LiveMachine\`, shell/src/host/live-machine.ts). "Studio follows": the host as
before, and for each announced generation what a following renderer does — \`inspector.space\` through
the host with its base64 reply, decoded, indexed, dominators, class summary, threads, the open
pane's changes — in the bench's process (no DOM, no Chromium; a newer announcement while one is
being shown collapses into the newest). A view's age counts from the announcement to the next
view being ready.

${table}

Goal: a view at most one snapshot interval old, with under 5 % throughput loss.
`,
  );
  console.log(table);
} finally {
  await service.powerCut(NAME).catch(() => undefined);
  service.dispose();
  rmSync(dir, { recursive: true, force: true });
}
