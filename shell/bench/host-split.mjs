// The host's start-up split, measured against the single bundle it replaced, in the same run:
// from spawning the host to its URL, and to the page's first requests answered back to back
// (the token redirect, index.html, app.js and the CSS, the API socket, studio.info, then
// machines.list and files.list), with the host's CPU time by then. "one bundle" is the host as
// it was built before (everything in one unminified file, zod's locales in, all loaded before
// it listens), made here from the same sources; "split" is dist/host/main.bundle.js.
//
//   node shell/bench/host-split.mjs   (after npm run build; prints a table)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { HOST_ONLY } from '../../scripts/bench-header.mjs';

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const ONE_BUNDLE = 'host-split-one.bundle.js';
const ROUNDS = 12;
await build({
  entryPoints: [join(repo, 'shell/dist/host/main.js')],
  outfile: join(repo, 'shell/dist/host', ONE_BUNDLE),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['node-pty', 'bufferutil', 'utf-8-validate'],
  banner: {
    js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);",
  },
  logLevel: 'warning',
});
const WebSocket = createRequire(join(repo, 'shell', 'package.json'))('ws');
const get = (url, headers = {}) =>
  new Promise((res, rej) => {
    http
      .get(url, { headers }, (r) => {
        r.resume();
        r.on('end', () => res(r));
      })
      .on('error', rej);
  });
const cpuOf = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
async function once(entry) {
  const t0 = performance.now();
  const host = spawn(process.execPath, [join(repo, 'shell/dist/host', entry)], {
    env: { ...process.env, PHANTOM_STATE_DIR: mkdtempSync(join(tmpdir(), 'ab-')) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((res) => {
    let o = '';
    host.stdout.on('data', (d) => {
      o += d;
      const m = o.match(/http:\/\/\S+token=[0-9a-f]+/);
      if (m) res(m[0]);
    });
  });
  const tUrl = performance.now() - t0;
  const r1 = await get(url);
  const cookie = r1.headers['set-cookie'][0].split(';')[0];
  const base = url.replace(/\?.*/, '');
  await get(base, { cookie });
  await Promise.all(['app.js', 'app.css', 'studio.css'].map((f) => get(base + f, { cookie })));
  const ws = new WebSocket(`${base.replace('http', 'ws')}api`, {
    headers: { cookie, origin: base.slice(0, -1) },
  });
  await new Promise((r) => ws.once('open', r));
  const pending = new Map();
  let id = 1;
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    pending.get(m.id)?.(m);
  });
  const call = (method, params) =>
    new Promise((r) => {
      const i = id++;
      pending.set(i, r);
      ws.send(JSON.stringify({ id: i, method, params }));
    });
  await call('studio.info', {});
  await Promise.all([call('machines.list', {}), call('files.list', { root: 'examples' })]);
  const tReady = performance.now() - t0;
  const cpu = cpuOf(host.pid);
  ws.close();
  host.kill();
  await new Promise((r) => host.once('close', r));
  return { tUrl, tReady, cpu };
}
const variants = [
  ['one bundle', ONE_BUNDLE],
  ['split', 'main.bundle.js'],
];
const results = new Map(variants.map(([label]) => [label, []]));
const loadBefore = loadavg()[0];
try {
  for (let round = 0; round < ROUNDS; round++)
    for (const [label, entry] of variants) results.get(label).push(await once(entry));
} finally {
  rmSync(join(repo, 'shell/dist/host', ONE_BUNDLE), { force: true });
}
const median = (values) => [...values].sort((x, y) => x - y)[values.length >> 1];
const row = (label, pick) => {
  const values = results.get(label).map(pick);
  return `${median(values).toFixed(0)} ms (max ${Math.max(...values).toFixed(0)})`;
};
console.log(
  `${ROUNDS} rounds, one-minute load ${loadBefore.toFixed(1)} before and ${loadavg()[0].toFixed(1)} after`,
);
console.log(HOST_ONLY);
console.log();
console.log('| host | URL printed | first requests answered | host CPU by then |');
console.log('| --- | --- | --- | --- |');
for (const [label] of variants)
  console.log(
    `| ${label} | ${row(label, (r) => r.tUrl)} | ${row(label, (r) => r.tReady)} | ${row(label, (r) => r.cpu)} |`,
  );
