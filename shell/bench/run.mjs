// The studio's benchmarks, in Chromium through Playwright (run by `npm run bench`):
//  1. host start → interactive UI in browser mode: from spawning the host process to the page
//     marking itself ready (the API answered, the explorer and timeline filled in);
//  2. the timeline with 10,000 generations: frame costs while zooming (wheel), panning (drag)
//     and hovering, read from Chromium's performance trace.
// Writes docs/bench-shell.md. Chromium is started once, before anything is timed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const shell = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = dirname(shell);
const { chromium } = createRequire(join(repo, 'e2e', 'package.json'))('playwright-core');
const START_RUNS = 7;
const VIEWPORT = { width: 1400, height: 860 };

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const ms = (v) => v.toFixed(2);

const loadBefore = loadavg()[0];
const browser = await chromium.launch({
  executablePath: process.env.PHANTOM_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const work = mkdtempSync(join(tmpdir(), 'phantom-bench-shell-'));
try {
  // 1. Host start → interactive UI.
  const startTimes = [];
  const urlTimes = [];
  for (let run = 0; run < START_RUNS; run++) {
    const began = performance.now();
    const host = spawn(process.execPath, [join(shell, 'dist/host/main.js')], {
      env: { ...process.env, PHANTOM_STATE_DIR: join(work, `state-${run}`) },
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
    urlTimes.push(performance.now() - began);
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(url);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
    startTimes.push(performance.now() - began);
    await page.close();
    const closed = new Promise((resolve) => host.once('close', resolve));
    host.kill('SIGTERM');
    await closed;
  }

  // 2. The timeline at 10,000 generations.
  const www = join(work, 'www');
  await build({
    entryPoints: [join(shell, 'bench/timeline-page.ts')],
    outfile: join(www, 'bench.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'warning',
  });
  writeFileSync(
    join(www, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="studio.css">
<style>body{grid-template-rows:1fr 260px}</style><script type="module" src="bench.js"></script></head>
<body><div></div><section class="timeline" data-panel="timeline"></section></body></html>`,
  );
  writeFileSync(join(www, 'studio.css'), readFileSync(join(shell, 'static/studio.css')));
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1) || 'index.html';
    const types = { html: 'text/html', js: 'text/javascript', css: 'text/css' };
    try {
      const body = readFileSync(join(www, name.replace(/[^\w.-]/g, '')));
      res.writeHead(200, { 'Content-Type': types[name.split('.').pop()] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const page = await browser.newPage({ viewport: VIEWPORT });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  const canvas = await page.getByTestId('timeline-canvas').boundingBox();
  const cx = canvas.x + canvas.width / 2;
  const cy = canvas.y + 60;
  await page.mouse.move(cx, cy);
  await browser.startTracing(page, {
    categories: [
      'toplevel',
      'devtools.timeline',
      'disabled-by-default-devtools.timeline',
      'disabled-by-default-devtools.timeline.frame',
    ],
  });
  // Zoom in step by step to single generations, pan across, hover, then zoom back out.
  for (let i = 0; i < 40; i++) {
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(16);
  }
  await page.mouse.down();
  for (let i = 0; i < 60; i++) await page.mouse.move(cx - i * 8, cy, { steps: 1 });
  await page.mouse.up();
  for (let i = 0; i < 60; i++) await page.mouse.move(canvas.x + 100 + i * 10, canvas.y + 58 + (i % 4) * 22);
  for (let i = 0; i < 40; i++) {
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, 120);
    await page.waitForTimeout(16);
  }
  await page.mouse.down();
  for (let i = 0; i < 60; i++) await page.mouse.move(cx + i * 8, cy, { steps: 1 });
  await page.mouse.up();
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
  await page.close();
  server.close();

  const events = trace.traceEvents ?? trace;
  const rendererPid = events.find((e) => e.name === 'FireAnimationFrame')?.pid;
  const durations = (name) =>
    events.filter((e) => e.name === name && e.ph === 'X' && e.pid === rendererPid).map((e) => e.dur / 1000);
  const animationFrames = durations('FireAnimationFrame');
  const inputEvents = durations('EventDispatch');
  const mainThread = events.find((e) => e.name === 'FireAnimationFrame')?.tid;
  const tasks = events
    .filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === rendererPid && e.tid === mainThread)
    .map((e) => e.dur / 1000);
  const frames = events.filter((e) => e.name === 'BeginMainThreadFrame' && e.pid === rendererPid).length;

  const lines = [
    '# Studio benchmarks',
    '',
    'Made by `npm run bench` (the shell part: `node shell/bench/run.mjs`), headless Debian Chromium',
    `(\`--disable-gpu\`, software rendering), viewport ${VIEWPORT.width}×${VIEWPORT.height}, on this machine`,
    `(2 cores, shared with other work), ${new Date().toISOString().slice(0, 16)} UTC. One-minute load`,
    `average ${loadBefore.toFixed(1)} before the run and ${loadavg()[0].toFixed(1)} after it: figures from a loaded`,
    'machine are upper bounds; run it again on a quiet one before judging the goals.',
    '',
    '## Host start to interactive UI (browser mode)',
    '',
    `From spawning \`node shell/dist/host/main.js\` to the page marking itself ready (API answered, explorer and timeline filled); Chromium already running; ${START_RUNS} runs. Goal: under 2 s.`,
    '',
    '| step | median | fastest | slowest |',
    '| --- | --- | --- | --- |',
    `| host printed its URL | ${ms(percentile(urlTimes, 50))} ms | ${ms(Math.min(...urlTimes))} ms | ${ms(Math.max(...urlTimes))} ms |`,
    `| UI interactive | ${ms(percentile(startTimes, 50))} ms | ${ms(Math.min(...startTimes))} ms | ${ms(Math.max(...startTimes))} ms |`,
    '',
    '## Timeline with 10,000 generations',
    '',
    '10,000 generations on four branches and 20 checkpoints; 80 wheel zoom steps (in to single generations and',
    'out again), 120 drag-pan moves and 60 hover moves, under a Chromium performance trace. Goal: frames',
    'under 16 ms. A frame here is drawing (`FireAnimationFrame`, the canvas redraw) plus the input handling',
    'that triggered it (`EventDispatch`); `RunTask` is every main-thread task in the same span.',
    '',
    '| trace event | count | median | p95 | max |',
    '| --- | --- | --- | --- | --- |',
    ...[
      ['FireAnimationFrame (redraw)', animationFrames],
      ['EventDispatch (wheel, pointer)', inputEvents],
      ['RunTask (all main-thread work)', tasks],
    ].map(
      ([name, values]) =>
        `| ${name} | ${values.length} | ${ms(percentile(values, 50))} ms | ${ms(percentile(values, 95))} ms | ${ms(Math.max(...values))} ms |`,
    ),
    '',
    `Main-thread frames begun during the interaction: ${frames}.`,
    '',
  ];
  writeFileSync(join(repo, 'docs/bench-shell.md'), lines.join('\n'));
  console.log(lines.join('\n'));
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
