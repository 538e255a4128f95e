// rollback.mjs — benchmark (issue 21): rolling a running machine back to a kept generation, from
// the request to the program running again (its next line), 64 MiB object space, on two paths
// interleaved in one run: in place (the debug channel's ROLLBACK: QEMU keeps running, the kernel
// drops the live space and mounts the generation) beside today's restart (QEMU killed and started
// again with gen=N, qboot and the qemu driver's machine, as vm-manager did before). Both roll back
// the same machine in turns, each to the generation before the newest one, so every rollback
// mounts a generation whose 10% of dirtied pages all differ from the live ones.
// Writes kernel-src/docs/bench-rollback.md.
// Run: npm run bench, make -C kernel-src bench, or node this file (ROLLBACK_ROUNDS: rollbacks per path, default 20).
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import { acceleratorLine, benchHeading } from '../../../scripts/bench-header.mjs';
import { dirtierSource } from '../lib/dirtier.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { percentile } from '../lib/powercut.mjs';
import { accelerator, kernelDir, MACHINE_ARGS, tempDir } from '../qemu.mjs';

const ROUNDS = Number(process.env.ROLLBACK_ROUNDS ?? 20);
const SPACE_MIB = 64;
const PAGE = 4096;
const MEMORY = '256M';
const APPEND = 'snap=1000 debug=snapshots';
const LONG_MS = 600_000;
const HEADING = '## Rollback to a generation: request to the program running again';
const PREAMBLE = `# Rollback benchmarks

Written by \`kernel-src/tests/bench/rollback.mjs\` (issue 21): how long a rollback of a running
machine to a kept generation takes, from the request to the program's next console line, in place
(the debug channel's ROLLBACK, docs/persistence.md "Rollback in place") beside today's restart of
QEMU with \`gen=N\`.

Where the in-place time goes (the rows below): the kernel's figure is mostly the contents check,
and that is mostly reading and checking pages: the VM's check walks every object of the space,
so it touches every page that holds one (here 1666, the program's int arrays), and each is read
from the disk and CRC-checked at that first touch; the walk of every slot itself costs a few ms.
Leaving those reads to the program would not make it run sooner, as its next round touches every
one of those pages too, and skipping the check would let a damaged page of the chosen generation
be found only after the reply (docs/persistence.md, "The mount rule"). So the reads cost one wait
for the disk a fault (up to 256 pages, wherever their blocks lie), the map blocks one wait for
all, and after the threads resume the rest is the program's: what was left of its sleep as of
the generation, and its round.
`;
const out = join(kernelDir, 'docs', 'bench-rollback.md');
const ROUND_LINE = /^round \d+$/;
const GENERATION_LINE = /^snapshot: generation (\d+) \(parent (\d+)\)/;
const ROLLED_LINE = /^store: rolled back in place .* in (\d+) us \(space dropped in (\d+) us, mount (\d+) us, contents check (\d+) us\)$/;
const PAGES_LINE = /^store: the mount's pages: (\d+) read in (\d+) requests and (\d+) waits, waiting for the disk (\d+) us, CRCs (\d+) us, kept copies (\d+) us; contents check (\d+) us$/;

const fmt = (v) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');

const temp = await tempDir();
let machine;
let client;
const socket = join(temp.dir, 'debug.sock');

async function start(disk, append) {
  machine = new Machine({ disk, append, memory: MEMORY, debugSocket: socket, debugTransport: 'virtio' });
  return machine;
}

async function connect() {
  ({ client } = await DebugClient.connect(socket, LONG_MS));
}

/** Waits for two more committed generations; returns the one before the newest (its parent). */
async function target() {
  await machine.waitForLine(GENERATION_LINE, { from: machine.lines.length, deadlineMs: LONG_MS });
  const newest = await machine.waitForLine(GENERATION_LINE, { from: machine.lines.length, deadlineMs: LONG_MS });
  return Number(newest.match[2]);
}

try {
  const loadBefore = loadavg()[0].toFixed(1);
  const source = join(temp.dir, 'rollback.ph');
  await writeFile(source, dirtierSource(Math.round(((SPACE_MIB << 20) / PAGE) * 0.1), { progress: true, by: 'kernel-src/tests/bench/rollback.mjs' }));
  const disk = join(temp.dir, 'rollback.img');
  await buildStoreDisk(disk, [source], ['.bench.dirtier'], { spaceBytes: SPACE_MIB << 20 });
  await start(disk, APPEND);
  await machine.waitForLine(/^ready$/, { deadlineMs: LONG_MS });
  await connect();
  const inPlace = { ms: [], kernel: [], after: [], drop: [], mount: [], check: [], read: [], kept: [], disk: [], crc: [], waits: [] };
  const restart = { ms: [] };
  for (let i = 0; i < ROUNDS; i++) {
    // In place.
    let generation = await target();
    let from = machine.lines.length;
    let t0 = performance.now();
    const reply = await client.rollback(generation, LONG_MS);
    const rolled = await machine.waitForLine(ROLLED_LINE, { from, deadlineMs: LONG_MS });
    const next = await machine.waitForLine(ROUND_LINE, { from: rolled.index + 1, deadlineMs: LONG_MS });
    if (reply.generation !== generation) throw new Error(`in place: asked for ${generation}, mounted ${reply.generation}`);
    inPlace.ms.push(next.at - t0);
    inPlace.kernel.push(reply.micros / 1000);
    inPlace.after.push(next.at - rolled.at);
    inPlace.drop.push(Number(rolled.match[2]) / 1000);
    inPlace.mount.push(Number(rolled.match[3]) / 1000);
    inPlace.check.push(Number(rolled.match[4]) / 1000);
    const pages = await machine.waitForLine(PAGES_LINE, { from: rolled.index, deadlineMs: LONG_MS });
    inPlace.waits.push(Number(pages.match[3]));
    inPlace.disk.push(Number(pages.match[4]) / 1000);
    inPlace.crc.push(Number(pages.match[5]) / 1000);
    inPlace.read.push(reply.pagesRead);
    inPlace.kept.push(reply.pagesKept);

    // Restart: QEMU stopped and started again on generation N.
    generation = await target();
    client.close();
    t0 = performance.now();
    await machine.kill();
    await start(disk, `${APPEND} gen=${generation}`);
    const mounted = await machine.waitForLine(/^store: mounted generation (\d+) /, { deadlineMs: LONG_MS });
    const first = await machine.waitForLine(ROUND_LINE, { from: mounted.index + 1, deadlineMs: LONG_MS });
    if (Number(mounted.match[1]) !== generation) throw new Error(`restart: asked for ${generation}, mounted ${mounted.match[1]}`);
    restart.ms.push(first.at - t0);
    await connect();
    process.stderr.write(`rollback: round ${i + 1}/${ROUNDS}: in place ${fmt(inPlace.ms.at(-1))} ms, restart ${fmt(restart.ms.at(-1))} ms\n`);
  }
  const loadAfter = loadavg()[0].toFixed(1);
  const p50 = (v) => percentile(v, 50);
  const row = (name, values, other) =>
    `| ${name} | ${fmt(p50(values))} | ${fmt(percentile(values, 99))} | ${other ? `${fmt(p50(other))} | ${fmt(percentile(other, 99))}` : '– | –'} |`;
  const table = [
    '| ms | in place (ROLLBACK) p50 | p99 | restart (QEMU again, `gen=N`), today p50 | p99 |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('**request → program\'s next line** (host clock)', inPlace.ms, restart.ms),
    row('the kernel\'s own figure: request served to threads resuming', inPlace.kernel),
    row('… of which the live space dropped', inPlace.drop),
    row('… of which the switch to the generation (its record and page maps read and checked; pages lazy)', inPlace.mount),
    row('… of which the contents check (`vm_try_start`), with the pages its touches read', inPlace.check),
    row(`… … of which waiting for the disk (a fault reads up to 256 pages, scattered blocks in one wait: ${fmt(p50(inPlace.waits))} waits, p50)`, inPlace.disk),
    row('… … of which the pages\' CRCs', inPlace.crc),
    row('the threads resumed (the kernel\'s line) → the program\'s next line: what was left of its sleep as of the generation, its round', inPlace.after),
  ].join('\n');
  const ratio = p50(restart.ms) / p50(inPlace.ms);
  const section = `${benchHeading(HEADING, acceleratorLine(accelerator))}

Command: \`${process.env.ROLLBACK_ROUNDS ? `ROLLBACK_ROUNDS=${ROUNDS} ` : ''}node kernel-src/tests/bench/rollback.mjs\` (also run by \`make -C kernel-src bench\` and \`npm run bench\`; \`ROLLBACK_ROUNDS\` rollbacks per path, default 20).
A ${SPACE_MIB} MiB space running a program that rewrites 10% of its pages every round (\`tests/lib/dirtier.mjs\`), \`-append "${APPEND}"\`,
\`-m ${MEMORY}\`, the debug channel on its virtio-serial port, ${MACHINE_ARGS.join(' ')}. ${ROUNDS} rollbacks on each path, interleaved on the
same machine and store, each to the parent of the newest generation (its pages: ${fmt(p50(inPlace.read))} read from the disk and
checked before the threads resumed, ${fmt(p50(inPlace.kept))} taken from memory, p50; the program touches every page it rewrites
before its next line, so a lazy mount reads them all on this path too). A generation's machine time is its freeze's, so the program
sleeps after either path only what was left of its 50 ms sleep at the freeze. In place: from sending ROLLBACK to the program's next line; restart: from
killing QEMU to the program's first line of the QEMU started with \`gen=N\` (vm-manager's auto-checkpoint, on both paths, left out).
Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${process.env.BENCH_HOST ?? 'the development VM'} (2 cores shared with other work; load average ${loadBefore} before, ${loadAfter} after).

${table}

Restart ÷ in place (p50): ${ratio.toFixed(1)}×.
Goals (issue 21): p50 ≤ 100 ms at ${SPACE_MIB} MiB, measured ${fmt(p50(inPlace.ms))} ms${p50(inPlace.ms) <= 100 ? ' (met)' : ' (not met in this run)'}; ≥ 8× faster than the restart, measured ${ratio.toFixed(1)}×${ratio >= 8 ? ' (met)' : ' (not met in this run)'}.
`;
  await writeFile(out, `${PREAMBLE}\n${section}`);
  console.log(section);
} finally {
  client?.close();
  await machine?.kill();
  await temp.cleanup();
}
