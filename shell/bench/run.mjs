// The studio's benchmarks, in Chromium through Playwright (run by `npm run bench`):
//  1. host start → interactive UI in browser mode: from spawning the host process to each
//     start-up milestone the page marks (the API answered, interactive, the deferred chunks in);
//  2. the timeline with 10,000 generations and 3. the inspector's graph view of 5,000 objects:
//     frame costs while zooming (wheel), panning (drag) and hovering, read from Chromium's
//     performance trace.
// Writes docs/bench-shell.md. Chromium is started once, before anything is timed.
//
//   node shell/bench/run.mjs [--only startup|timeline|graph]   (--only prints, writes nothing)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAPH_LAYOUT_WORKER_FILE } from '@phantom/inspector/common/graph-layout.js';
import { build } from 'esbuild';
import { benchHeading, HOST_ONLY } from '../../scripts/bench-header.mjs';

const shell = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = dirname(shell);
const { chromium } = createRequire(join(repo, 'e2e', 'package.json'))('playwright-core');
const START_RUNS = 15;
/** Start-up milestones, in order: the key a run records and what it means. */
const STARTUP_STEPS = [
  ['url', 'host printed its URL (listening)'],
  ['tab', 'Chromium opened a tab for it (`newPage`: a renderer process)'],
  ['redirected', 'the token URL answered: cookie set, redirected to `/`'],
  ['html', 'index.html received'],
  ['script', 'app.js received'],
  ['executed', 'app.js and its static imports evaluated (DOMContentLoaded)'],
  ['phantom:api-answered', 'first API reply (studio.info) over the WebSocket'],
  ['phantom:interactive', '**interactive** (defined above)'],
  ['phantom:console-loaded', 'xterm.js chunk loaded (the console can show a terminal)'],
  ['phantom:inspector-loaded', "inspector views' chunk loaded and mounted"],
  ['phantom:editor-loaded', 'Monaco chunk and editor.css loaded, editor created'],
];
const VIEWPORT = { width: 1400, height: 860 };
const TRACE_CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'cc',
];

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const ms = (v) => v.toFixed(2);

const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (only !== undefined && !['startup', 'timeline', 'graph'].includes(only)) {
  console.error(`bench: --only takes startup, timeline or graph, not '${only ?? ''}'`);
  process.exit(2);
}

/** CPU time (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
function processCpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Starts a host entry with its own state folder; resolves with the process and its URL. */
async function startHost(entry, stateDir) {
  const host = spawn(process.execPath, [join(shell, 'dist/host', entry)], {
    env: { ...process.env, PHANTOM_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    host.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/);
      if (m) resolve(m[0]);
    });
    host.on('close', (code) => reject(new Error(`host exited (${code}): ${out}`)));
  });
  return { host, url };
}

async function stopHost(host) {
  const closed = new Promise((resolve) => host.once('close', resolve));
  host.kill('SIGTERM');
  await closed;
}

/** Host start → interactive UI; the page's marks and Date.now() share the wall clock. */
async function benchStartup(browser, work) {
  const milestones = new Map(STARTUP_STEPS.map(([key]) => [key, []]));
  const unbundledUrl = [];
  /** CPU time spent by the host and by the page's renderer process until interactive. */
  const cpu = { host: [], renderer: [] };
  for (let run = 0; run < START_RUNS; run++) {
    // The same host as separate modules, in the same run, for the bundle's effect on its start.
    const unbundledAt = Date.now();
    const unbundled = await startHost('main.js', join(work, `state-modules-${run}`));
    unbundledUrl.push(Date.now() - unbundledAt);
    await stopHost(unbundled.host);
    const spawnedAt = Date.now();
    const { host, url } = await startHost('main.bundle.js', join(work, `state-${run}`));
    milestones.get('url').push(Date.now() - spawnedAt);
    const page = await browser.newPage({ viewport: VIEWPORT });
    milestones.get('tab').push(Date.now() - spawnedAt);
    await page.goto(url);
    const marked = (name) =>
      page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, name, {
        timeout: 120_000,
        polling: 50,
      });
    await marked('phantom:interactive');
    cpu.host.push(processCpuMs(host.pid));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    cpu.renderer.push(metrics.find((m) => m.name === 'ProcessTime').value * 1000);
    await marked('phantom:editor-loaded');
    const times = await page.evaluate(() => {
      const at = (t) => performance.timeOrigin + t;
      const [navigation] = performance.getEntriesByType('navigation');
      const script = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/app.js'));
      return {
        redirected: at(navigation.redirectEnd),
        html: at(navigation.responseEnd),
        script: at(script.responseEnd),
        executed: at(navigation.domContentLoadedEventStart),
        ...Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, at(m.startTime)])),
      };
    });
    for (const [key] of STARTUP_STEPS)
      if (key !== 'url' && key !== 'tab') milestones.get(key).push(times[key] - spawnedAt);
    await page.close();
    await stopHost(host);
  }
  const median = (values) => percentile(values, 50);
  return [
    benchHeading('## Host start to interactive UI (browser mode)', HOST_ONLY),
    '',
    `From spawning \`node shell/dist/host/main.bundle.js\` (Chromium already running; ${START_RUNS} runs, each with a`,
    "fresh state folder and no machines) to each milestone, read from the page's Navigation and Resource",
    'Timing and the User Timing marks the renderer sets (`StartupMark` in shell/src/renderer/app.ts).',
    'Goal: interactive under 2 s.',
    '',
    '**Interactive** means: the host has answered, the machine bar shows the machine list with its buttons',
    'enabled for their state, the explorer lists the programs, the timeline shows the picked machine (or',
    "none), and the console panel's controls (new terminal, search) take input. xterm.js, the inspector's",
    'views and Monaco load after that, in that order, as chunks of their own; a machine already running at',
    'start gets its console as soon as the xterm.js chunk is in.',
    '',
    'The host prints its URL once it listens, before it has loaded the services: the API side (ws, the',
    "contract's validators, vm-manager, inspector, lang) is a chunk it imports right after, while Chromium",
    "opens the tab and fetches the page. Opening the tab (`newPage`, a new renderer process) is Chromium's",
    "work, not the studio's, but a user opening the URL waits for it too, so it stays inside the figures.",
    '',
    '| milestone (from spawning the host) | median | fastest | slowest |',
    '| --- | --- | --- | --- |',
    ...STARTUP_STEPS.map(([key, label]) => {
      const values = milestones.get(key);
      return `| ${label} | ${ms(percentile(values, 50))} ms | ${ms(Math.min(...values))} ms | ${ms(Math.max(...values))} ms |`;
    }),
    '',
    'CPU time until interactive, which a loaded machine inflates far less than wall time: the host',
    "process's (user + system, from /proc), and the page's renderer process's (Chromium's `ProcessTime`",
    'metric; the renderer is a fresh process, so this includes its own start).',
    '',
    '| CPU time until interactive | median | least | most |',
    '| --- | --- | --- | --- |',
    ...[
      ['host process', cpu.host],
      ['renderer process', cpu.renderer],
    ].map(
      ([label, values]) =>
        `| ${label} | ${ms(percentile(values, 50))} ms | ${ms(Math.min(...values))} ms | ${ms(Math.max(...values))} ms |`,
    ),
    '',
    `The host as separate modules (\`dist/host/main.js\`, ~200 files), started before each run: URL after`,
    `${ms(median(unbundledUrl))} ms median (fastest ${ms(Math.min(...unbundledUrl))} ms), against ${ms(median(milestones.get('url')))} ms bundled:`,
    `the bundle starts in ${(median(milestones.get('url')) / median(unbundledUrl)).toFixed(2)}× the time.`,
  ];
}

/** Serves a bench page (bench/<entry>.ts bundled, with studio.css and the inspector's CSS) on 127.0.0.1. */
async function servePage(work, entry, body) {
  const www = join(work, entry);
  mkdirSync(www, { recursive: true });
  await build({
    entryPoints: { bench: join(shell, 'bench', `${entry}.ts`) },
    outdir: www,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'warning',
  });
  // The inspector graph's layout worker, beside the page as the studio serves it.
  await build({
    entryPoints: ['@phantom/inspector/browser/graph-layout-worker.js'],
    outfile: join(www, GRAPH_LAYOUT_WORKER_FILE),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'warning',
  });
  writeFileSync(
    join(www, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="studio.css">
<link rel="stylesheet" href="bench.css"><style>body{grid-template-rows:1fr 260px}</style>
<script type="module" src="bench.js"></script></head><body>${body}</body></html>`,
  );
  writeFileSync(join(www, 'studio.css'), readFileSync(join(shell, 'static/studio.css')));
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1) || 'index.html';
    const types = { html: 'text/html', js: 'text/javascript', css: 'text/css' };
    try {
      const content = readFileSync(join(www, name.replace(/[^\w.-]/g, '')));
      res.writeHead(200, { 'Content-Type': types[name.split('.').pop()] ?? 'application/octet-stream' });
      res.end(content);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

/** Runs `interact` under a Chromium trace; returns the table rows of its frame costs. */
async function traceFrames(browser, page, interact) {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  await interact();
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
  const events = trace.traceEvents ?? trace;
  const rendererPid = events.find((e) => e.name === 'FireAnimationFrame')?.pid;
  const mainThread = events.find((e) => e.name === 'FireAnimationFrame')?.tid;
  const of = (name, thread) =>
    events.filter(
      (e) =>
        e.name === name &&
        e.ph === 'X' &&
        e.pid === rendererPid &&
        (thread === undefined || e.tid === thread),
    );
  const durations = (name, thread) => of(name, thread).map((e) => e.dur / 1000);
  const threadTimes = (name, thread) => of(name, thread).map((e) => (e.tdur ?? e.dur) / 1000);
  const frames = events.filter((e) => e.name === 'BeginMainThreadFrame' && e.pid === rendererPid).length;
  return [
    '| trace event | count | median | p95 | max | CPU p95 | CPU max |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...[
      ['ProxyMain::BeginMainFrame (the whole frame)', 'ProxyMain::BeginMainFrame', mainThread],
      ['FireAnimationFrame (its script: the redraw)', 'FireAnimationFrame'],
      ['EventDispatch (wheel, pointer)', 'EventDispatch'],
      ['RunTask (all main-thread work)', 'RunTask', mainThread],
    ].map(([label, name, thread]) => {
      const wall = durations(name, thread);
      const cpu = threadTimes(name, thread);
      return `| ${label} | ${wall.length} | ${ms(percentile(wall, 50))} ms | ${ms(percentile(wall, 95))} ms | ${ms(Math.max(...wall))} ms | ${ms(percentile(cpu, 95))} ms | ${ms(Math.max(...cpu))} ms |`;
    }),
    '',
    `Main-thread frames begun during the interaction: ${frames}. The whole frame is the main thread's part`,
    'of it: animation-frame script, style, layout, paint and the commit, where a canvas rasterises what the',
    'script drew (with `--disable-gpu`, in software). Median, p95 and max are wall time; the CPU',
    "columns are the renderer thread's own time in the same events (the trace's thread duration), which",
    'other processes on a loaded machine do not inflate.',
  ];
}

/** Zoom in step by step, pan across, hover, zoom back out and pan back, around (cx, cy). */
async function zoomPanHover(page, box, cx, cy, hoverRow) {
  for (let i = 0; i < 40; i++) {
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(16);
  }
  await page.mouse.down();
  for (let i = 0; i < 60; i++) await page.mouse.move(cx - i * 8, cy, { steps: 1 });
  await page.mouse.up();
  for (let i = 0; i < 60; i++) await page.mouse.move(box.x + 100 + i * 10, hoverRow(i));
  for (let i = 0; i < 40; i++) {
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, 120);
    await page.waitForTimeout(16);
  }
  await page.mouse.down();
  for (let i = 0; i < 60; i++) await page.mouse.move(cx + i * 8, cy, { steps: 1 });
  await page.mouse.up();
}

async function benchTimeline(browser, work) {
  const server = await servePage(
    work,
    'timeline-page',
    '<div></div><section class="timeline" data-panel="timeline"></section>',
  );
  const page = await browser.newPage({ viewport: VIEWPORT });
  try {
    await page.goto(server.url);
    await page.locator('body[data-ready="true"]').waitFor();
    const box = await page.getByTestId('timeline-canvas').boundingBox();
    const cx = box.x + box.width / 2;
    const cy = box.y + 60;
    await page.mouse.move(cx, cy);
    const rows = await traceFrames(browser, page, () =>
      zoomPanHover(page, box, cx, cy, (i) => box.y + 58 + (i % 4) * 22),
    );
    return [
      benchHeading('## Timeline with 10,000 generations', HOST_ONLY),
      '',
      '10,000 generations on four branches and 20 checkpoints; 80 wheel zoom steps (in to single generations and',
      'out again), 120 drag-pan moves and 60 hover moves, under a Chromium performance trace. Goal: frames',
      'under 16 ms for the whole frame (below); `FireAnimationFrame` is its script (the canvas redraw),',
      '`EventDispatch` the input handling, and `RunTask` every main-thread task in the same span.',
      '',
      ...rows,
    ];
  } finally {
    await page.close();
    server.close();
  }
}

async function benchGraph(browser, work) {
  const server = await servePage(
    work,
    'graph-page',
    '<section data-panel="graph" style="position:fixed;inset:0"></section>',
  );
  const page = await browser.newPage({ viewport: VIEWPORT });
  try {
    await page.goto(server.url);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
    const info = await page.getByTestId('inspector-graph-info').textContent();
    const box = await page.getByTestId('inspector-graph-canvas').boundingBox();
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx, cy);
    const rows = await traceFrames(browser, page, () =>
      zoomPanHover(page, box, cx, cy, (i) => box.y + box.height / 2 - 40 + (i % 4) * 20),
    );
    return [
      benchHeading('## Inspector graph view of 5,000 objects', HOST_ONLY),
      '',
      `The graph view alone (bench/graph-page.ts), ${box.width}×${box.height} px, showing: ${info?.trim()}`,
      '(a mesh of 6,400 objects, each referring to its right and lower neighbour; 5,000 of them around the',
      'centre object), once its layout has settled. The same gestures as the timeline: 80 wheel zoom steps',
      '(in and out again), 120 drag-pan moves, 60 hover moves, under a Chromium performance trace. Goal:',
      'frames under 16 ms.',
      '',
      ...rows,
    ];
  } finally {
    await page.close();
    server.close();
  }
}

const loadBefore = loadavg()[0];
const browser = await chromium.launch({
  executablePath: process.env.PHANTOM_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const work = mkdtempSync(join(tmpdir(), 'phantom-bench-shell-'));
try {
  const parts = { startup: benchStartup, timeline: benchTimeline, graph: benchGraph };
  const sections = [];
  for (const [name, run] of Object.entries(parts))
    if (only === undefined || only === name) sections.push(...(await run(browser, work)), '');
  const lines = [
    '# Studio benchmarks',
    '',
    'Made by `npm run bench` (the shell part: `node shell/bench/run.mjs`), headless Debian Chromium',
    `(\`--disable-gpu\`, software rendering), viewport ${VIEWPORT.width}×${VIEWPORT.height}, on this machine`,
    `(2 cores, shared with other work), ${new Date().toISOString().slice(0, 16)} UTC. One-minute load`,
    `average ${loadBefore.toFixed(1)} before the run and ${loadavg()[0].toFixed(1)} after it: figures from a loaded`,
    'machine are upper bounds; run it again on a quiet one before judging the goals.',
    '',
    ...sections,
  ];
  if (only === undefined) writeFileSync(join(repo, 'docs/bench-shell.md'), lines.join('\n'));
  console.log(lines.join('\n'));
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
