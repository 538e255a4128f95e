// rollback.mjs — benchmark (issue 21): rolling a running machine back to a kept generation, from
// the request to the program running again (its next line), 64 MiB object space, on three paths
// interleaved in one run: in place (the debug channel's ROLLBACK: QEMU keeps running, the kernel
// drops the live space and mounts the generation) beside today's restart (QEMU killed and started
// again with gen=N, qboot and the qemu driver's machine, as vm-manager did before) and the restart
// as when issue 21 was filed (the kernel of main then, baseline-kernel.mjs's ISSUE_21_FILED, on
// QEMU's machine of then: plain `pc`, SeaBIOS), which the issue's goal is measured against. Today's
// two paths roll back the same machine in turns; the restart as filed runs the same program on a
// machine and store of its own, of the same size. Each rolls back to the generation before the
// newest one, so every rollback mounts a generation whose 10% of dirtied pages all differ from the
// live ones. One QEMU runs at a time: each restart path starts from its machine alone on the host.
// Writes its section of kernel-src/docs/bench-rollback.md (the sections kept by hand stay).
// Run: npm run bench, make -C kernel-src bench, or node this file (ROLLBACK_ROUNDS: rollbacks per path, default 20).
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@phantom/inspector/node/debug-client.js';
import { acceleratorLine, benchHeading } from '../../../scripts/bench-header.mjs';
import { dirtierSource } from '../lib/dirtier.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { percentile } from '../lib/powercut.mjs';
import { GENERATION_LINE, rollBackInPlace } from '../lib/rollback-in-place.mjs';
import { accelerator, kernelDir, MACHINE_ARGS, tempDir } from '../qemu.mjs';
import { baselineKernel, ISSUE_21_DEBUG_TRANSPORT, ISSUE_21_FILED, ISSUE_21_MACHINE_ARGS } from './baseline-kernel.mjs';
import { replaceSections } from './doc-sections.mjs';

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
(the debug channel's ROLLBACK, docs/persistence.md "Rollback in place") beside two restarts of QEMU
with \`gen=N\`: today's (this kernel, qboot on the trimmed PC), and the restart as it was when issue
21 was filed, the "today's restart" of the issue's goal (≥ 8× faster), which has since got faster
itself: the kernel of main then (${ISSUE_21_FILED}, built from git by \`tests/bench/baseline-kernel.mjs\`
into \`kernel-src/build/\`) on QEMU's machine of then (\`${ISSUE_21_MACHINE_ARGS.join(' ')}\`, SeaBIOS, the
debug channel on serial port 2, as vm-manager started machines at ${ISSUE_21_FILED}). Its program and
store are built by today's compiler and image builder, which that kernel runs: since then the
formats changed only in ways a generation 0 of this size does not meet or that kernel accepts
(index roots only past 255 generations; \`SH_EPOCH\` and the birth stamps are 0 in a generation 0;
a method's added debug slot, where the old VM asks for at least its 12 slots). Every rollback checks
that the kernel mounted the generation asked for and that the program printed its next round.

Where the in-place time goes (the rows below): the VM's contents check walks every object of the
space, so it touches every page that holds one (here 1666, the program's int arrays, all rewritten
since the generation). Those pages are not read: the kernel keeps a copy of each page its
snapshots write, in memory the pager could never want, and maps the copies of the chosen
generation's pages (docs/persistence.md, "Rollback in place"); a page with no copy would be read
from the disk and CRC-checked at that first touch, one wait for the disk a fault (up to 256
pages, wherever their blocks lie). What is left is the walk of every slot, the drop of the live
space, the switch's reads of the generation's record and map blocks (one wait), and after the
threads resume the program's own time: what was left of its sleep as of the generation, and its
round.
`;
const out = join(kernelDir, 'docs', 'bench-rollback.md');
const ROUND_LINE = /^round \d+$/;
const MOUNTED_LINE = /^store: mounted generation (\d+) /;
/** A boot's last line before the VM runs the threads (arch/main.c: debug_channel_init, then vm_run_for), in both kernels. */
const RUNNING_LINE = /^debug: protocol \d+ on /;

const fmt = (v) => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');

const filed = await baselineKernel(ISSUE_21_FILED);
const temp = await tempDir();
let machine;
let client;
let filedMachine;
const socket = join(temp.dir, 'debug.sock');

/** Today's machine: this kernel, the machine everything boots with now, the debug channel on virtio. */
function start(disk, append) {
  machine = new Machine({ disk, append, memory: MEMORY, debugSocket: socket, debugTransport: 'virtio' });
  return machine;
}

/** The machine as when the issue was filed: that kernel, QEMU's machine and debug channel of then. */
function startFiled(disk, append) {
  filedMachine = new Machine({
    disk,
    append,
    memory: MEMORY,
    kernel: filed.kernelPath,
    machine: ISSUE_21_MACHINE_ARGS,
    debugSocket: join(temp.dir, 'filed.sock'),
    debugTransport: ISSUE_21_DEBUG_TRANSPORT,
  });
  return filedMachine;
}

async function connect() {
  ({ client } = await DebugClient.connect(socket, LONG_MS));
}

/** Waits for two more committed generations of `on`; returns the one before the newest (its parent). */
async function target(on) {
  await on.waitForLine(GENERATION_LINE, { from: on.lines.length, deadlineMs: LONG_MS });
  const newest = await on.waitForLine(GENERATION_LINE, { from: on.lines.length, deadlineMs: LONG_MS });
  return Number(newest.match[2]);
}

/**
 * A restart on generation `generation` of the machine `running` (kill -9, then `again`, which
 * starts QEMU with gen=N): { ms: from the kill to the program's first line, mountedMs: to the
 * kernel's mount line, runningMs: to its last line before the threads run }, after checking that
 * the generation asked for is the one mounted.
 */
async function restart(name, running, generation, again) {
  const t0 = performance.now();
  await running.kill();
  const started = again(`${APPEND} gen=${generation}`);
  const mounted = await started.waitForLine(MOUNTED_LINE, { deadlineMs: LONG_MS });
  const up = await started.waitForLine(RUNNING_LINE, { from: mounted.index + 1, deadlineMs: LONG_MS });
  const first = await started.waitForLine(ROUND_LINE, { from: up.index + 1, deadlineMs: LONG_MS });
  if (Number(mounted.match[1]) !== generation) throw new Error(`${name}: asked for ${generation}, mounted ${mounted.match[1]}`);
  return { ms: first.at - t0, mountedMs: mounted.at - t0, runningMs: up.at - t0 };
}

try {
  const loadBefore = loadavg()[0].toFixed(1);
  const source = join(temp.dir, 'rollback.ph');
  await writeFile(source, dirtierSource(Math.round(((SPACE_MIB << 20) / PAGE) * 0.1), { progress: true, by: 'kernel-src/tests/bench/rollback.mjs' }));
  const disk = join(temp.dir, 'rollback.img');
  await buildStoreDisk(disk, [source], ['.bench.dirtier'], { spaceBytes: SPACE_MIB << 20 });
  const filedDisk = join(temp.dir, 'filed.img');
  await buildStoreDisk(filedDisk, [source], ['.bench.dirtier'], { spaceBytes: SPACE_MIB << 20 });
  start(disk, APPEND);
  await machine.waitForLine(/^ready$/, { deadlineMs: LONG_MS });
  await connect();
  const inPlace = { ms: [], running: [], kernel: [], after: [], drop: [], mount: [], check: [], read: [], kept: [], disk: [], crc: [], waits: [] };
  const today = { ms: [], mounted: [], running: [] };
  const asFiled = { ms: [], mounted: [], running: [] };
  for (let i = 0; i < ROUNDS; i++) {
    // In place.
    let generation = await target(machine);
    const { t0, reply, rolled, waits, ms } = await rollBackInPlace(machine, client, generation, LONG_MS);
    const next = await machine.waitForLine(ROUND_LINE, { from: rolled.index + 1, deadlineMs: LONG_MS });
    inPlace.ms.push(next.at - t0);
    inPlace.running.push(rolled.at - t0);
    inPlace.kernel.push(ms.kernel);
    inPlace.after.push(next.at - rolled.at);
    inPlace.drop.push(ms.dropped);
    inPlace.mount.push(ms.mount);
    inPlace.check.push(ms.check);
    inPlace.waits.push(waits);
    inPlace.disk.push(ms.disk);
    inPlace.crc.push(ms.crcs);
    inPlace.read.push(reply.pagesRead);
    inPlace.kept.push(reply.pagesKept);

    // Today's restart: QEMU stopped and started again on generation N.
    generation = await target(machine);
    client.close();
    const restarted = await restart('restart', machine, generation, (append) => start(disk, append));
    today.ms.push(restarted.ms);
    today.mounted.push(restarted.mountedMs);
    today.running.push(restarted.runningMs);
    await machine.kill();

    // The restart as filed, on its own machine, started (not timed) from its store's newest generation.
    startFiled(filedDisk, APPEND);
    generation = await target(filedMachine);
    const filedRestart = await restart('restart as filed', filedMachine, generation, (append) => startFiled(filedDisk, append));
    asFiled.ms.push(filedRestart.ms);
    asFiled.mounted.push(filedRestart.mountedMs);
    asFiled.running.push(filedRestart.runningMs);
    await filedMachine.kill();

    // Today's machine again for the next rollback in place (not timed).
    start(disk, APPEND);
    await machine.waitForLine(ROUND_LINE, { deadlineMs: LONG_MS });
    await connect();
    process.stderr.write(
      `rollback: round ${i + 1}/${ROUNDS}: in place ${fmt(inPlace.ms.at(-1))} ms, restart ${fmt(today.ms.at(-1))} ms, as filed ${fmt(asFiled.ms.at(-1))} ms\n`,
    );
  }
  const loadAfter = loadavg()[0].toFixed(1);
  const p50 = (v) => percentile(v, 50);
  const cells = (values) => (values ? `${fmt(p50(values))} | ${fmt(percentile(values, 99))}` : '– | –');
  const row = (name, ...columns) => `| ${name} | ${[0, 1, 2].map((c) => cells(columns[c])).join(' | ')} |`;
  const table = [
    `| ms | in place (ROLLBACK) p50 | p99 | restart (QEMU again, \`gen=N\`), today p50 | p99 | restart as filed (${ISSUE_21_FILED}, SeaBIOS) p50 | p99 |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('**request → the program\'s threads running again** (host clock: the kernel\'s last line before they run, "rolled back …" in place, "debug: protocol …" after a boot)', inPlace.running, today.running, asFiled.running),
    row('**request → program\'s next line** (host clock), which adds what was left of the program\'s own sleep', inPlace.ms, today.ms, asFiled.ms),
    row('restarts: QEMU killed → the kernel\'s line "mounted generation N" (host clock)', undefined, today.mounted, asFiled.mounted),
    row('the kernel\'s own figure: request served to threads resuming', inPlace.kernel),
    row('… of which the live space dropped', inPlace.drop),
    row('… of which the switch to the generation (its record and page maps read and checked; pages lazy)', inPlace.mount),
    row('… of which the contents check (`vm_try_start`), with the pages its touches read', inPlace.check),
    row(`… … of which waiting for the disk (a fault reads up to 256 pages, scattered blocks in one wait: ${fmt(p50(inPlace.waits))} waits, p50)`, inPlace.disk),
    row('… … of which the pages\' CRCs', inPlace.crc),
    row('the threads resumed (the kernel\'s line) → the program\'s next line: what was left of its sleep as of the generation, its round', inPlace.after),
  ].join('\n');
  const ratio = p50(today.running) / p50(inPlace.running);
  const filedRatio = p50(asFiled.running) / p50(inPlace.running);
  const lineRatio = p50(today.ms) / p50(inPlace.ms);
  const filedLineRatio = p50(asFiled.ms) / p50(inPlace.ms);
  const section = `${benchHeading(HEADING, acceleratorLine(accelerator))}

Command: \`${process.env.ROLLBACK_ROUNDS ? `ROLLBACK_ROUNDS=${ROUNDS} ` : ''}node kernel-src/tests/bench/rollback.mjs\` (also run by \`make -C kernel-src bench\` and \`npm run bench\`; \`ROLLBACK_ROUNDS\` rollbacks per path, default 20;
the kernel as filed is built from git at ${ISSUE_21_FILED} on the first run and kept in \`kernel-src/build/baseline-${filed.commit.slice(0, 12)}/\`).
A ${SPACE_MIB} MiB space running a program that rewrites 10% of its pages every round (\`tests/lib/dirtier.mjs\`), \`-append "${APPEND}"\`,
\`-m ${MEMORY}\`. In place and today's restart: this kernel, the debug channel on its virtio-serial port, ${MACHINE_ARGS.join(' ')}.
As filed: the kernel of ${ISSUE_21_FILED}, \`${ISSUE_21_MACHINE_ARGS.join(' ')}\` (SeaBIOS), the debug channel on serial port 2, its own store of the same size and program.
${ROUNDS} rollbacks on each path, interleaved, one QEMU at a time; today's two on the same machine and store; each to the parent of the newest generation (its pages: ${fmt(p50(inPlace.read))} read from the disk and
checked before the threads resumed, ${fmt(p50(inPlace.kept))} taken from memory, p50: the clean pages of the dropped space and the copies the kernel
keeps of the pages its snapshots wrote lately; the program touches every page it rewrites before its next line, so a lazy mount
would read them all on this path too). A generation's machine time is its freeze's, so the program
sleeps after any path only what was left of its 50 ms sleep at the freeze (0 to 50 ms, alike on every path: the program's, not the rollback's).
In place: from sending ROLLBACK to the kernel's line that it rolled back (the threads run on from there) and to the program's next line; restarts: from
killing QEMU to the kernel's last boot line before the threads run and to the program's first line, of the QEMU started with \`gen=N\`
(vm-manager's auto-checkpoint, on every path, left out).
Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${process.env.BENCH_HOST ?? 'the development VM'} (2 cores shared with other work; load average ${loadBefore} before, ${loadAfter} after).

${table}

Restart ÷ in place (p50), to the threads running again: today's restart ${ratio.toFixed(1)}×; the restart as filed ${filedRatio.toFixed(1)}×.
To the program's next line: ${lineRatio.toFixed(1)}× and ${filedLineRatio.toFixed(1)}×.
Goals (issue 21), request to the program running again: p50 ≤ 100 ms at ${SPACE_MIB} MiB, measured ${fmt(p50(inPlace.running))} ms to its threads running${p50(inPlace.running) <= 100 ? ' (met)' : ' (not met in this run)'} and ${fmt(p50(inPlace.ms))} ms to its next line${p50(inPlace.ms) <= 100 ? ' (met)' : ' (not met)'}; ≥ 8× faster than the restart as it was when the issue was filed (its "today's restart"), measured ${filedRatio.toFixed(1)}× to the threads running${filedRatio >= 8 ? ' (met)' : ' (not met in this run)'} and ${filedLineRatio.toFixed(1)}× to the next line${filedLineRatio >= 8 ? ' (met)' : ' (not met)'}.

The issue's figure for that restart, about 850 ms, is the one main's \`docs/bench-persistence.md\` held when it
was filed ("QEMU start to threads running after a kill -9", 64 MiB: 851 ms p50, from spawning QEMU, main's
kernel of 2026-11-25 on QEMU's defaults, SeaBIOS, measured then at load average 8.8 → 9.8): a restart on a
host that busy. This column measures the restart as filed again on this run's host, interleaved with the
other two paths, so the ratio holds the host's load alike on both sides; a busier host stretches the
restarts (QEMU's start waits for a core) more than the rollback in place.
`;
  const before = await readFile(out, 'utf8').catch(() => '');
  await writeFile(out, replaceSections(before, PREAMBLE, [{ key: HEADING, text: section }]));
  console.log(section);
} finally {
  client?.close();
  await machine?.kill();
  await filedMachine?.kill();
  await temp.cleanup();
}
