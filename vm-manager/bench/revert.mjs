// vm-manager's benchmark (`npm run bench -w vm-manager`, and so `npm run bench`): a machine
// checkpoint revert of a running 64 MiB guest, from the API call until the guest runs again,
// through our layer and through the raw tools in the same run (QMP snapshot-load on a socket
// we hold open; `virsh snapshot-revert`), interleaved so both see the same load; then
// `phantom up` to the first console line with a warm build. Writes docs/bench-vm-manager.md.
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { acceleratorLine, benchHeading } from '../../scripts/bench-header.mjs';
import { Machines } from '../dist/node/machines.js';
import { buildTickKernel } from '../dist/test-support/fixtures.js';

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PHANTOM = fileURLToPath(new URL('../bin/phantom.mjs', import.meta.url));
/** Rounds per variant; each round reverts once through each path. */
const ROUNDS = Number(process.env.PHANTOM_BENCH_ROUNDS ?? 10);
const MEMORY_MIB = 64;

const now = () => performance.now();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];
const ms = (x) => x.toFixed(1);

/** A bare QMP connection: what a script that talks QMP itself would hold. */
async function rawQmp(path) {
  const socket = createConnection(path);
  let buffer = '';
  const waiters = [];
  socket.setEncoding('utf8');
  socket.on('data', (text) => {
    buffer += text;
    for (;;) {
      const at = buffer.indexOf('\n');
      if (at < 0) break;
      const frame = JSON.parse(buffer.slice(0, at));
      buffer = buffer.slice(at + 1);
      for (const waiter of [...waiters]) {
        if (!waiter.accept(frame)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  });
  const next = (accept) => new Promise((resolve) => waiters.push({ accept, resolve }));
  const send = (execute, args) =>
    socket.write(`${JSON.stringify({ execute, ...(args ? { arguments: args } : {}) })}\n`);
  await next((f) => 'QMP' in f);
  send('qmp_capabilities');
  await next((f) => 'return' in f);
  let job = 0;
  return {
    async snapshotLoad(tag) {
      const id = `raw-${job++}`;
      const concluded = next(
        (f) => f.event === 'JOB_STATUS_CHANGE' && f.data.id === id && f.data.status === 'concluded',
      );
      send('snapshot-load', { 'job-id': id, tag, vmstate: 'store', devices: ['store'] });
      await concluded;
      const dismissed = next((f) => 'return' in f || 'error' in f);
      send('job-dismiss', { id });
      await dismissed;
    },
    close: () => socket.destroy(),
  };
}

/** The pid of the QEMU libvirt runs for `machine`, to see whether a revert restarted it. */
const libvirtQemuPid = (machine) =>
  readFile(`/run/libvirt/qemu/phantom-${machine.name}.pid`, 'utf8').then((t) => t.trim());

async function revertComparison(machines, kernelPath, driver) {
  const machine = await machines.create(`bench-${driver}`, { driver, kernelPath, memoryMiB: MEMORY_MIB });
  const { accelerator } = await machine.start();
  await machine.checkpoints.create('base');
  const ours = [];
  const raw = [];
  let restarts = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const pidBefore = driver === 'libvirt' ? await libvirtQemuPid(machine) : undefined;
      let t = now();
      await machine.checkpoints.revert('base', { autoCheckpoint: 'skip' });
      ours.push(now() - t);
      if (pidBefore !== undefined && pidBefore !== (await libvirtQemuPid(machine))) restarts++;
      if (driver === 'qemu') {
        // QEMU serves one QMP client at a time: the raw client connects between our reverts,
        // outside its timing, so it is measured with a connection already open.
        const client = await rawQmp(machine.dir.qmpSocket);
        t = now();
        await client.snapshotLoad('base');
        raw.push(now() - t);
        client.close();
      } else {
        t = now();
        await execFileAsync('virsh', [
          '-q',
          '-c',
          'qemu:///system',
          'snapshot-revert',
          `phantom-${machine.name}`,
          'base',
        ]);
        raw.push(now() - t);
      }
    }
  } finally {
    await machine.powerOff();
    await machines.remove(machine.name, { force: true });
  }
  return { ours, raw, restarts, accelerator };
}

/** The line for figures from a machine that reported `used` ({ name, why }) as its accelerator. */
const usedLine = (used, scope) => acceleratorLine({ accel: used.name, why: used.why }, scope);

/** The revert table's line: the QEMU driver's machine's accelerator, and libvirt's where it differs. */
function revertAcceleratorLine(rows) {
  const [[, , first], ...others] = rows;
  const differing = others
    .filter(
      ([, , r]) =>
        r.accelerator.name !== first.accelerator.name || r.accelerator.why !== first.accelerator.why,
    )
    .map(([driver, , r]) => `${driver}'s machine: ${r.accelerator.name} — ${r.accelerator.why}`);
  return usedLine(
    first.accelerator,
    differing.length ? `the qemu row's; ${differing.join('; ')}` : undefined,
  );
}

/** Runs `phantom …args`; resolves with what it printed on stdout. */
function runPhantom(env, ...args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PHANTOM, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (t) => {
      stdout += t;
    });
    child.stderr.on('data', (t) => {
      stderr += t;
    });
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`phantom ${args.join(' ')}: ${stderr}`)),
    );
  });
}

/** `phantom up` on an existing stopped machine, warm build, until the console shows a line. */
async function upToFirstLine(stateRoot) {
  const env = { ...process.env, PHANTOM_STATE_DIR: stateRoot };
  const log = join(stateRoot, 'machines', 'up', 'logs', 'console.log');
  await runPhantom(env, 'up', 'up', '--program', 'counter');
  const [{ accelerator }] = JSON.parse(await runPhantom(env, 'status', 'up', '--json'));
  await runPhantom(env, 'down', 'up');
  const times = [];
  const commandTimes = [];
  for (let round = 0; round < Math.min(ROUNDS, 5); round++) {
    const before = (await readFile(log, 'utf8').catch(() => '')).length;
    const t = now();
    await runPhantom(env, 'up', 'up');
    commandTimes.push(now() - t);
    for (;;) {
      const text = await readFile(log, 'utf8').catch(() => '');
      if (text.slice(before).includes('\n')) break;
      if (now() - t > 60_000) throw new Error('no console line within 60 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    times.push(now() - t);
    await runPhantom(env, 'down', 'up');
  }
  await runPhantom(env, 'rm', 'up', '--force');
  return { times, commandTimes, accelerator };
}

const loadBefore = loadavg();
const stateRoot = await mkdtemp('/tmp/pvb-');
await chmod(stateRoot, 0o755);
const machines = new Machines({ root: join(stateRoot, 'machines') });
const rows = [];
let up;
try {
  const kernelPath = await buildTickKernel(stateRoot);
  const qemu = await revertComparison(machines, kernelPath, 'qemu');
  rows.push(['qemu', 'raw QMP `snapshot-load`', qemu]);
  let libvirt;
  try {
    await execFileAsync('virsh', ['-c', 'qemu:///system', 'version']);
    libvirt = await revertComparison(machines, kernelPath, 'libvirt');
    rows.push(['libvirt', 'raw `virsh snapshot-revert`', libvirt]);
  } catch (err) {
    console.error(`bench: libvirt skipped: ${err.message}`);
  }
  up = await upToFirstLine(stateRoot);
} finally {
  machines.dispose();
  await rm(stateRoot, { recursive: true, force: true });
}

const lines = [
  '# vm-manager benchmarks',
  '',
  'Made by `npm run bench -w vm-manager` (`vm-manager/bench/revert.mjs`), which rewrites this file.',
  `Host: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString()}.`,
  '',
  benchHeading(
    `## Revert to a machine checkpoint, ${MEMORY_MIB} MiB guest, call until running (${ROUNDS} rounds, interleaved)`,
    revertAcceleratorLine(rows),
  ),
  '',
  '| driver | our layer p50 (ms) | p90 | raw tool | raw p50 (ms) | p90 | ratio p50 (ours / raw) |',
  '| --- | ---: | ---: | --- | ---: | ---: | ---: |',
  ...rows.map(
    ([driver, tool, r]) =>
      `| ${driver} | ${ms(median(r.ours))} | ${ms(p90(r.ours))} | ${tool} | ${ms(median(r.raw))} | ${ms(p90(r.raw))} | ${(median(r.ours) / median(r.raw)).toFixed(2)}× |`,
  ),
  '',
  'Goal (issue 6): ≤ 1.1× the raw tool, and under 1 s.',
  ...rows
    .filter(([driver]) => driver === 'libvirt')
    .map(
      ([, , r]) =>
        `libvirt restarted QEMU on ${r.restarts} of our ${r.ours.length} reverts: libvirt 9.0 reverts a live domain by stopping its QEMU and starting a new one with -loadvm, which is where the time goes (vm-manager/README.md, "Revert time with libvirt"); under 1 s is out of reach through libvirt's revert.`,
    ),
  '',
  benchHeading(
    '## `phantom up` to the first console line, warm build, existing machine (counter example)',
    usedLine(up.accelerator),
  ),
  '',
  '| rounds | `phantom up` returns, p50 (ms) | p90 | first console line, p50 (ms) | p90 |',
  '| ---: | ---: | ---: | ---: | ---: |',
  `| ${up.times.length} | ${ms(median(up.commandTimes))} | ${ms(p90(up.commandTimes))} | ${ms(median(up.times))} | ${ms(p90(up.times))} |`,
  '',
  'Goal (issue 6): under 2 s. The difference between the two columns is the kernel booting (under the',
  'accelerator above) to its first line (the counter prints once its first tick of machine time has passed).',
  `Load average (1, 5, 15 min) at the start: ${loadBefore.map((x) => x.toFixed(1)).join(', ')}; at the end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(', ')} on ${cpus().length} cores (other`,
  'work shares this machine), which the absolute figures include; the ratios compare paths in the same run.',
  '',
];
await writeFile(join(ROOT, 'docs', 'bench-vm-manager.md'), lines.join('\n'));
console.log(lines.join('\n'));
