// snapshot.mjs — the persistence benchmarks (issue 5), all in one run under QEMU, written to
// kernel-src/docs/bench-persistence.md (only the preamble and the sections below: the power-cut
// soak's and the freeze-pause bench's sections stay as they are):
//   1. stop-the-world pause per snapshot, p50/p99, for 64 MiB and 512 MiB object spaces with 1%,
//      10% and 50% of the pages dirtied per interval (a generated program rewrites that many pages
//      in a loop); beside it, on the same guest in the same run, QEMU's own savevm (QMP
//      snapshot-save on a qcow2 disk): its pause (STOP to RESUME event) and bytes (vm-state-size);
//   2. throughput of a long CPU-bound program that also churns objects (tests/bench/throughput.ph)
//      with snapshots off, every 1 s, every 100 ms and every 10 ms (machines' default), interleaved,
//      median of the runs;
//   3. the highest sustainable snapshot rate with a small dirty set (a counter ticking every ms);
//   4. time from QEMU start to threads running again after a kill, 64 MiB and 512 MiB, split into
//      QEMU and firmware, the kernel up to the mount, the mount, and the VM up to the first line.
// Environment: PAUSE_SAMPLES (generations per configuration, default 8), THROUGHPUT_RUNS (runs of
// each configuration, default 3), RESTORE_BOOTS (boots per space, default 5).
// --baseline ELF: parts 2 and 3 also run another build of the kernel (an earlier commit's), its
// runs interleaved with this build's, so the tables compare the two in one run; --baseline-rev REV
// instead: the kernel of that git revision, built once into kernel-src/build/ (baseline-kernel.mjs).
// --icount SHIFT: part 2 runs QEMU under TCG with -icount shift=SHIFT, so the machine time the
// program reports counts the guest's instructions (and its waits), whatever else the host runs.
import { execFileSync } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { acceleratorLine, benchHeading } from '../../../scripts/bench-header.mjs';
import { dirtierSource } from '../lib/dirtier.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { percentile } from '../lib/powercut.mjs';
import { accelerator, icountClock, kernelDir, kernelPath, tempDir } from '../qemu.mjs';
import { baselineKernel } from './baseline-kernel.mjs';
import { replaceSections } from './doc-sections.mjs';
import { cpuMs } from '../lib/cpu-time.mjs';

const PAUSE_SAMPLES = Number(process.env.PAUSE_SAMPLES ?? 8);
const THROUGHPUT_RUNS = Number(process.env.THROUGHPUT_RUNS ?? 3);
const RESTORE_BOOTS = Number(process.env.RESTORE_BOOTS ?? 5);
const PAGE = 4096;
/** The dirtying program announces itself and each round: the bench waits on those lines. */
const SOURCE_OPTIONS = { progress: true, by: 'kernel-src/tests/bench/snapshot.mjs' };
const GENERATION_LINE =
  /^snapshot: generation (\d+) \(parent \d+\): pause (\d+) us, (\d+) pages written, (\d+) copied on write, write (\d+) us, commit (\d+) us, (\d+) bytes$/;
const examples = join(kernelDir, '..', 'lang', 'examples');
const THROUGHPUT_PROGRAM = join(kernelDir, 'tests', 'bench', 'throughput.ph');
/** Snapshot intervals of the throughput runs (0: off; 10 ms is machines' default), interleaved in this order. */
const THROUGHPUT_SNAPS = [0, 1000, 100, 10];
const icountAt = process.argv.indexOf('--icount');
/** --icount SHIFT: the throughput part runs under TCG with -icount shift=SHIFT. */
const icount = icountAt >= 0 ? Number(process.argv[icountAt + 1]) : undefined;
if (icount !== undefined && !(Number.isInteger(icount) && icount >= 0 && icount <= 10)) {
  console.error('usage: snapshot.mjs --icount 0..10');
  process.exit(2);
}
/** The snapshot intervals the rate part asks for, in ms. */
const RATE_SNAPS = [100, 50, 20, 10, 5];
const out = join(kernelDir, 'docs', 'bench-persistence.md');
const LONG_MS = 600_000;
/** How long each snapshot rate is watched. */
const RATE_WINDOW_MS = 5000;

function generations(lines, from = 0) {
  return lines
    .slice(from)
    .map((l) => GENERATION_LINE.exec(l.line))
    .filter(Boolean)
    .map((m) => ({
      number: Number(m[1]),
      pauseUs: Number(m[2]),
      pagesWritten: Number(m[3]),
      cow: Number(m[4]),
      writeUs: Number(m[5]),
      commitUs: Number(m[6]),
      bytes: Number(m[7]),
    }));
}

/** A minimal QMP client: commands in order, events collected with their timestamps. */
async function qmp(path) {
  const socket = connect(path);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const events = [];
  const replies = [];
  let waiting = [];
  let buffer = '';
  socket.on('data', (chunk) => {
    buffer += chunk.toString();
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const msg = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      if (msg.event) events.push(msg);
      else if ('return' in msg || 'error' in msg) replies.push(msg);
      nl = buffer.indexOf('\n');
    }
    for (const w of waiting) w();
  });
  const until = (fn) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('QMP: no answer within 10 min')), LONG_MS);
      const check = () => {
        const v = fn();
        if (v === undefined) return;
        clearTimeout(timer);
        waiting = waiting.filter((w) => w !== check);
        resolve(v);
      };
      waiting.push(check);
      check();
    });
  const command = async (execute, args) => {
    const index = replies.length;
    socket.write(`${JSON.stringify(args ? { execute, arguments: args } : { execute })}\n`);
    const reply = await until(() => replies[index]);
    if (reply.error) throw new Error(`QMP ${execute}: ${reply.error.desc}`);
    return reply.return;
  };
  await command('qmp_capabilities');
  return { command, events, until, close: () => socket.destroy() };
}

const eventMs = (e) => e.timestamp.seconds * 1000 + e.timestamp.microseconds / 1000;

/** Pauses of our snapshots and of QEMU's savevm on one guest: a space of `spaceMiB` with `percent`% dirtied. */
async function pauseRun(dir, kernel, spaceMiB, percent) {
  const spacePages = (spaceMiB << 20) / PAGE;
  const source = join(dir, `dirty-${spaceMiB}-${percent}.ph`);
  await writeFile(source, dirtierSource(Math.round((spacePages * percent) / 100), SOURCE_OPTIONS));
  const raw = join(dir, `dirty-${spaceMiB}-${percent}.img`);
  await buildStoreDisk(raw, [source], ['.bench.dirtier'], { spaceBytes: spaceMiB << 20 });
  const qcow = `${raw}.qcow2`;
  execFileSync('qemu-img', ['convert', '-O', 'qcow2', raw, qcow]);
  const qmpPath = join(dir, 'qmp.sock');
  const memory = spaceMiB > 256 ? '1000M' : '256M';
  const machine = new Machine({
    append: 'snap=1000 debug=snapshots',
    memory,
    kernel,
    drive: `file=${qcow},if=virtio,format=qcow2,node-name=store0`,
    extraArgs: ['-qmp', `unix:${qmpPath},server=on,wait=off`],
  });
  try {
    const ready = await machine.waitForLine(/^ready$/, { deadlineMs: LONG_MS });
    // Skip the first generations: they hold the freshly allocated chunks, not one interval's changes.
    const skip = 2;
    await machine.waitForLine(/^snapshot: generation/, { from: ready.index, deadlineMs: LONG_MS });
    let seen = 0;
    let from = ready.index;
    while (seen < PAUSE_SAMPLES + skip) {
      const g = await machine.waitForLine(/^snapshot: generation/, { from, deadlineMs: LONG_MS });
      from = g.index + 1;
      seen++;
    }
    const ours = generations(machine.lines, ready.index).slice(skip);
    const client = await qmp(qmpPath);
    await client.command('snapshot-save', { 'job-id': 'bench', tag: 'bench', vmstate: 'store0', devices: ['store0'] });
    await client.until(() =>
      client.events.find((e) => e.event === 'JOB_STATUS_CHANGE' && e.data.status === 'concluded') ? true : undefined,
    );
    const stop = client.events.find((e) => e.event === 'STOP');
    const resume = client.events.find((e) => e.event === 'RESUME');
    const jobs = await client.command('query-jobs');
    client.close();
    await machine.kill();
    if (jobs[0]?.error) throw new Error(`savevm failed: ${jobs[0].error}`);
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', qcow]).toString());
    const vmState = info.snapshots?.find((s) => s.name === 'bench')?.['vm-state-size'] ?? Number.NaN;
    const dirtyBytes = ours.map((g) => g.pagesWritten * PAGE);
    return {
      spaceMiB,
      percent,
      memory,
      pauses: ours.map((g) => g.pauseUs),
      pagesWritten: percentile(
        ours.map((g) => g.pagesWritten),
        50,
      ),
      bytes: percentile(
        ours.map((g) => g.bytes),
        50,
      ),
      bytesRatio: percentile(
        ours.map((g, i) => g.bytes / dirtyBytes[i]),
        50,
      ),
      writeMs: percentile(
        ours.map((g) => (g.writeUs + g.commitUs) / 1000),
        50,
      ),
      savevmPauseUs: stop && resume ? (eventMs(resume) - eventMs(stop)) * 1000 : Number.NaN,
      savevmBytes: vmState,
    };
  } finally {
    await machine.kill();
  }
}


/** The VM's first line after vm_start (the debug channel's, on serial port 2 or not). */
const VM_STARTED_LINE = /^debug: /;

/**
 * One run of throughput.ph on a fresh store with snapshots every `snap` ms: milliseconds from the
 * VM starting its threads to the program's last line, the CPU time QEMU used meanwhile (all its
 * threads: the vCPU and the disk I/O), that line (the same whatever `snap` is), and the
 * generations committed meanwhile.
 */
async function throughputRun(dir, kernel, snap) {
  const disk = join(dir, `throughput-${snap}.img`);
  await buildStoreDisk(disk, [THROUGHPUT_PROGRAM], ['.bench.throughput']);
  const clock = icount === undefined ? {} : { accel: 'tcg', extraArgs: icountClock(icount).extraArgs };
  const machine = new Machine({ disk, append: `snap=${snap} debug=snapshots`, kernel, ...clock, ...bootOf(kernel) });
  try {
    const start = await machine.waitForLine(VM_STARTED_LINE, { deadlineMs: LONG_MS });
    const cpuAtStart = await cpuMs(machine.pid);
    const end = await machine.waitForLine(/^done: /, { deadlineMs: LONG_MS });
    const cpu = (await cpuMs(machine.pid)) - cpuAtStart;
    const took = machine.lines.map((l) => /^machine time (\d+) ms$/.exec(l.line)).find(Boolean);
    return {
      machineMs: Number(took?.[1] ?? Number.NaN),
      ms: end.at - start.at,
      cpuMs: cpu,
      result: end.line,
      generations: generations(machine.lines.slice(0, end.index)).length,
    };
  } finally {
    await machine.kill();
  }
}

/**
 * THROUGHPUT_RUNS rounds of one run per snapshot interval and kernel build, interleaved so the
 * host's load hits each alike.
 */
async function throughput(dir, kernels) {
  const configs = kernels.flatMap((k) => THROUGHPUT_SNAPS.map((snap) => ({ ...k, snap, key: `${k.label}/${snap}` })));
  const runs = Object.fromEntries(configs.map((c) => [c.key, []]));
  for (let round = 0; round < THROUGHPUT_RUNS; round++)
    for (const c of configs) {
      process.stderr.write(`throughput: round ${round + 1}, ${c.label}, snap=${c.snap}\n`);
      runs[c.key].push(await throughputRun(dir, c.kernel, c.snap));
    }
  const results = new Set(Object.values(runs).flatMap((r) => r.map((run) => run.result)));
  if (results.size !== 1) throw new Error(`throughput.ph ended differently: ${[...results].join(' / ')}`);
  return configs.map(({ label, snap, key }) => ({
    label,
    snap,
    ms: percentile(
      runs[key].map((r) => r.ms),
      50,
    ),
    machineMs: percentile(
      runs[key].map((r) => r.machineMs),
      50,
    ),
    min: Math.min(...runs[key].map((r) => r.ms)),
    max: Math.max(...runs[key].map((r) => r.ms)),
    cpuMs: percentile(
      runs[key].map((r) => r.cpuMs),
      50,
    ),
    generations: percentile(
      runs[key].map((r) => r.generations),
      50,
    ),
  }));
}

/**
 * The rate part's program: the counter ticking every millisecond of machine time without printing,
 * so that every interval down to 1 ms has a few pages dirty (the counter example ticks every 100 ms:
 * faster snapshots would find nothing new to commit, and an idle machine writes its clock once a
 * second, so it cannot show a rate above 10 generations a second).
 */
const TICKER = `// generated by kernel-src/tests/bench/snapshot.mjs
package .bench;

import .internal.time;

class ticker {
  var count : int;

  void run() {
    while (true) {
      count++;
      time.sleep(1);
    }
  }
};
`;

/** Generations per second achieved over a window with the ticker (small dirty set) and snap=`ms`. */
async function rateRun(dir, kernel, ms) {
  const disk = join(dir, `rate-${ms}.img`);
  const source = join(dir, 'ticker.ph');
  await writeFile(source, TICKER);
  await buildStoreDisk(disk, [source], ['.bench.ticker']);
  const machine = new Machine({ disk, append: `snap=${ms} debug=snapshots`, kernel, ...bootOf(kernel) });
  try {
    const first = await machine.waitForLine(/^snapshot: generation/, { deadlineMs: LONG_MS });
    const windowMs = RATE_WINDOW_MS;
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const gens = generations(machine.lines, first.index);
    const last = machine.lines.findLastIndex((l) => GENERATION_LINE.test(l.line));
    const span = machine.lines[last].at - first.at;
    return { ms, perSecond: ((gens.length - 1) * 1000) / span, writeMs: percentile(gens.map((g) => (g.writeUs + g.commitUs) / 1000), 50) };
  } finally {
    await machine.kill();
  }
}

const MOUNTED_LINE = /^store: mounted generation \d+ .*, (\d+) pages kept for the pager, in (\d+) ms$/;

/**
 * QEMU start → first program line after a kill -9, on a store that has committed generations,
 * RESTORE_BOOTS times, with the milestones between: the kernel's first console line (QEMU and its
 * firmware up to there), the store mounted, the VM started (vm_start validated the space).
 */
async function restoreRun(dir, kernel, spaceMiB) {
  const source = join(dir, `restore-${spaceMiB}.ph`);
  await writeFile(source, dirtierSource(Math.round(((spaceMiB << 20) / PAGE) * 0.1), SOURCE_OPTIONS));
  const disk = join(dir, `restore-${spaceMiB}.img`);
  await buildStoreDisk(disk, [source], ['.bench.dirtier'], { spaceBytes: spaceMiB << 20 });
  const memory = spaceMiB > 256 ? '1000M' : '256M';
  const first = new Machine({ disk, append: 'snap=1000 debug=snapshots', memory, kernel });
  try {
    const ready = await first.waitForLine(/^ready$/, { deadlineMs: LONG_MS });
    await first.waitForLine(/^snapshot: generation/, { from: ready.index, deadlineMs: LONG_MS });
  } finally {
    await first.kill();
  }
  const boots = [];
  for (let i = 0; i < RESTORE_BOOTS; i++) {
    const again = new Machine({ disk, append: 'snap=1000', memory, kernel });
    try {
      const line = await again.waitForLine(/^round \d+$/, { deadlineMs: LONG_MS });
      const at = (pattern) => again.lines.find((l) => pattern.test(l.line)).at - again.startedAt;
      const mounted = MOUNTED_LINE.exec(again.lines.find((l) => MOUNTED_LINE.test(l.line)).line);
      boots.push({
        total: line.at - again.startedAt,
        kernel: at(/^Phantom kernel/),
        mounted: at(MOUNTED_LINE),
        vm: at(VM_STARTED_LINE),
        pagesKept: Number(mounted[1]),
        mountMs: Number(mounted[2]),
      });
    } finally {
      await again.kill();
    }
  }
  const p50 = (key) =>
    percentile(
      boots.map((b) => b[key]),
      50,
    );
  return {
    spaceMiB,
    boots: boots.length,
    ms: p50('total'),
    min: Math.min(...boots.map((b) => b.total)),
    max: Math.max(...boots.map((b) => b.total)),
    kernel: p50('kernel'),
    mounted: p50('mounted'),
    vm: p50('vm'),
    mountMs: p50('mountMs'),
    pagesKept: p50('pagesKept'),
  };
}

const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const load = () => loadavg()[0].toFixed(1);

/** The parts of the bench, in the order they run and appear; `--only a,b` runs some of them. */
/**
 * Machine's options beyond its path for a kernel the parts run: {} but for a --baseline-rev
 * kernel that boots as its revision needed (an older one on SeaBIOS; baseline-kernel.mjs).
 */
let bootOf = () => ({});

const PARTS = ['pause', 'throughput', 'rate', 'restore'];

const PREAMBLE = `# Persistence benchmarks

Command: \`make -C kernel-src bench\` (runs \`node kernel-src/tests/bench/snapshot.mjs\`, which writes the four sections
below, each with its date and the host's load average; \`--only pause,throughput,rate,restore\` runs some of them
and leaves the others as they are; \`--baseline KERNEL.elf\` (or \`--baseline-rev REV\`: that git revision's kernel, built once into
\`kernel-src/build/\` by \`tests/bench/baseline-kernel.mjs\`) runs another build of the kernel beside this one in the
throughput and rate sections, \`--icount SHIFT\` runs the throughput section under TCG's instruction counter; environment: \`PAUSE_SAMPLES\` generations per configuration, default 8;
\`THROUGHPUT_RUNS\`, default 3; \`RESTORE_BOOTS\`, default 5). Under QEMU (\`qemu-system-i386 -nodefaults\`, with the
accelerator each section names) on the development VM: 2 cores shared with other work, so absolute times are
noisy; ratios come from the same guest in the same run. The power-cut soak and the freeze's pause have sections
of their own, written by their own commands.
`;

/** "Measured … UTC, load average …": when a part ran and how busy the host was (1-minute load, start → end). */
const measured = (part) =>
  `Measured ${part.started.toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${part.loadBefore} → ${part.loadAfter}.`;

function pauseSection(part) {
  return [
    benchHeading('## Stop-the-world pause per snapshot', acceleratorLine(accelerator)),
    '',
    "Our pause is the kernel's TSC measurement of `pager_freeze` (write-protect, in the page directory, each 4 MiB",
    'region holding a page dirtied since the last generation); the pages are then converted, written and copied on',
    "write while threads run. QEMU's savevm (QMP `snapshot-save`, vmstate and",
    'disk on the same qcow2 store disk, after our samples on the same guest) stops the VM from its STOP to its',
    "RESUME event while it writes all of the guest's RAM. Guest: a generated program that rewrites the given share of",
    "the space's pages in a loop; first two generations skipped (they hold the fresh allocation). Bytes: the store's",
    `bytes per generation (pages and metadata) over the dirty bytes (pages written × 4096). ${measured(part)}`,
    '',
    '| space | dirty per interval | guest RAM | our pause p50 | p99 | pages written p50 | write+commit p50 | bytes / dirty bytes | savevm pause | savevm bytes | pause ratio (savevm / our p99) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...part.rows.map((r) => {
      const p99 = percentile(r.pauses, 99);
      return `| ${r.spaceMiB} MiB | ${r.percent}% | ${r.memory} | ${fmt(percentile(r.pauses, 50))} µs | ${fmt(p99)} µs | ${r.pagesWritten} | ${fmt(r.writeMs)} ms | ${fmt(r.bytesRatio, 3)} | ${fmt(r.savevmPauseUs / 1000)} ms | ${fmt(r.savevmBytes / 2 ** 20, 1)} MiB | ${fmt(r.savevmPauseUs / Math.max(1, p99))}× |`;
    }),
  ].join('\n');
}

/** "this build" alone, or each build's rows named, when a baseline ran beside it. */
const buildColumn = (part, r) => (part.compared ? `| ${r.label} ` : '');

function throughputSection(part) {
  const off = (r) => part.rows.find((o) => o.snap === 0 && o.label === r.label);
  return [
    benchHeading(
      '## Throughput of a CPU-bound program (tests/bench/throughput.ph)',
      acceleratorLine(icount === undefined ? accelerator : icountClock(icount)),
    ),
    '',
    'Interpreter work (a sieve, recursive Fibonacci, a hash loop) in 120 rounds, each also replacing 256 of 8192',
    'persistent records with new objects and rewriting 1024 others, so every interval leaves pages dirty. Time from',
    "the VM starting its threads to the program's last line (which is the same in every run), on a fresh store;",
    `${THROUGHPUT_RUNS} runs of each configuration, interleaved (off, 1 s, 100 ms, 10 ms, off, …), median. On a shared host`,
    "the wall time swings with what else runs, so the table also has QEMU's CPU time over the same span (user +",
    'system, all its threads, vCPU and disk I/O alike): the work the machine did, whatever it had to wait for;',
    'and the machine time the program measured itself (`time.uptime()`), which under `--icount` counts the',
    "guest's instructions and its waits for the disk rather than the host's time.",
    ...(icount === undefined ? [] : [`This run: TCG with \`-icount shift=${icount}\` (QEMU counts instructions only under TCG).`]),
    measured(part),
    ...(part.compared ? ['', baselineNote(part)] : []),
    '',
    `${part.compared ? '| kernel ' : ''}| snapshots | time p50 | min | max | generations committed | throughput vs. off | QEMU CPU time p50 | by CPU time vs. off | machine time p50 | by machine time vs. off |`,
    `${part.compared ? '| --- ' : ''}| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...part.rows.map(
      (r) =>
        `${buildColumn(part, r)}| ${r.snap === 0 ? 'off (snap=0)' : `every ${r.snap} ms`} | ${fmt(r.ms)} ms | ${fmt(r.min)} ms | ${fmt(r.max)} ms | ${fmt(r.generations)} | ${fmt((100 * off(r).ms) / r.ms, 1)}% | ${fmt(r.cpuMs)} ms | ${fmt((100 * off(r).cpuMs) / r.cpuMs, 1)}% | ${fmt(r.machineMs)} ms | ${fmt((100 * off(r).machineMs) / r.machineMs, 1)}% |`,
    ),
  ].join('\n');
}

/** Which builds a compared table shows. */
const baselineNote = (part) =>
  `Two builds of the kernel, their runs interleaved: "this build" (the working tree) and "baseline" (${part.baseline}).`;

/** The highest asked rate a build met within 10%, and its most generations per second. */
function rateSummary(rows, label) {
  const mine = rows.filter((r) => r.label === label);
  const met = mine.filter((r) => r.perSecond >= 0.9 * (1000 / r.ms));
  const bestMet = met.length ? Math.max(...met.map((r) => 1000 / r.ms)) : Number.NaN;
  const fastest = mine.reduce((a, r) => (r.perSecond > a.perSecond ? r : a));
  return (
    `${label === 'this build' ? '' : `${label}: `}Highest asked rate met (within 10%): **${fmt(bestMet)} per second**; ` +
    `most generations committed: **${fmt(fastest.perSecond, 1)} per second** (at snap=${fastest.ms}).`
  );
}

function rateSection(part) {
  return [
    benchHeading(
      '## Highest sustainable snapshot rate (a counter ticking every millisecond: a few pages dirty per generation)',
      acceleratorLine(accelerator),
    ),
    '',
    `Generations committed per second over about 5 s; sustainable when at least 90% of the asked rate. ${measured(part)}`,
    ...(part.compared ? ['', baselineNote(part)] : []),
    '',
    `${part.compared ? '| kernel ' : ''}| snap= | asked per s | committed per s | write+commit p50 |`,
    `${part.compared ? '| --- ' : ''}| ---: | ---: | ---: | ---: |`,
    ...part.rows.map(
      (r) =>
        `${buildColumn(part, r)}| ${r.ms} ms | ${fmt(1000 / r.ms)} | ${fmt(r.perSecond, 1)} | ${fmt(r.writeMs, 1)} ms |`,
    ),
    '',
    ...[...new Set(part.rows.map((r) => r.label))].map((label) => rateSummary(part.rows, label)),
  ].join('\n');
}

function restoreSection(part) {
  return [
    benchHeading('## QEMU start to threads running after a kill -9', acceleratorLine(accelerator)),
    '',
    'A store with committed generations (the 10%-dirty program, killed after its first generation after',
    `allocating), booted ${RESTORE_BOOTS} times: from spawning QEMU to the program's first line, with the console lines between`,
    "(host arrival times, p50 of each): the kernel's first line (QEMU's own start and its firmware up to there), the",
    'store mounted (every non-zero page of the generation read and checked, and kept for the pager), the VM started',
    "(vm_start validated the space, taking the kept pages), the program's first line. Mount is the kernel's own figure.",
    measured(part),
    '',
    '| space | non-zero pages | QEMU start → first line p50 | min | max | → kernel line | → mounted | → VM started | mount (kernel) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...part.rows.map(
      (r) =>
        `| ${r.spaceMiB} MiB | ${fmt(r.pagesKept)} | ${fmt(r.ms)} ms | ${fmt(r.min)} ms | ${fmt(r.max)} ms | ${fmt(r.kernel)} ms | ${fmt(r.mounted)} ms | ${fmt(r.vm)} ms | ${fmt(r.mountMs)} ms |`,
    ),
  ].join('\n');
}

const SECTIONS = {
  pause: { key: '## Stop-the-world pause', write: pauseSection },
  throughput: { key: '## Throughput', write: throughputSection },
  rate: { key: '## Highest sustainable snapshot rate', write: rateSection },
  restore: { key: '## QEMU start to threads running', write: restoreSection },
};

async function runPart(name, dir, kernel, baseline) {
  const part = { started: new Date(), loadBefore: load() };
  const kernels = [{ label: 'this build', kernel }];
  if (baseline && (name === 'throughput' || name === 'rate')) {
    kernels.push({ label: 'baseline', kernel: baseline.kernel });
    part.compared = true;
    part.baseline = baseline.path;
  }
  if (name === 'pause') {
    part.rows = [];
    for (const spaceMiB of [64, 512])
      for (const percent of [1, 10, 50]) {
        process.stderr.write(`pause: ${spaceMiB} MiB, ${percent}% dirty\n`);
        part.rows.push(await pauseRun(dir, kernel, spaceMiB, percent));
      }
  } else if (name === 'throughput') {
    part.rows = await throughput(dir, kernels);
  } else if (name === 'rate') {
    part.rows = [];
    for (const ms of RATE_SNAPS)
      for (const k of kernels) {
        process.stderr.write(`rate: ${k.label}, snap=${ms}\n`);
        part.rows.push({ label: k.label, ...(await rateRun(dir, k.kernel, ms)) });
      }
  } else {
    part.rows = [];
    for (const spaceMiB of [64, 512]) {
      process.stderr.write(`restore: ${spaceMiB} MiB\n`);
      part.rows.push(await restoreRun(dir, kernel, spaceMiB));
    }
  }
  part.loadAfter = load();
  return part;
}

async function main() {
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : PARTS;
  const unknown = only.filter((p) => !PARTS.includes(p));
  if (unknown.length || !only.length) {
    console.error(`usage: snapshot.mjs [--only ${PARTS.join(',')}] (unknown: ${unknown.join(', ')})`);
    process.exit(2);
  }
  const baselineAt = process.argv.indexOf('--baseline');
  const revAt = process.argv.indexOf('--baseline-rev');
  const baselineArg = process.argv[(baselineAt >= 0 ? baselineAt : revAt) + 1];
  if ((baselineAt >= 0 || revAt >= 0) && (!baselineArg || (baselineAt >= 0 && revAt >= 0))) {
    console.error(
      'usage: snapshot.mjs --baseline KERNEL.elf | --baseline-rev REV (another build of the kernel to compare with, or the git revision to build it from)',
    );
    process.exit(2);
  }
  let baselinePath = baselineAt >= 0 ? baselineArg : undefined;
  let baselineName = `\`${baselinePath}\``;
  let baselineBoot;
  if (revAt >= 0) {
    const built = await baselineKernel(baselineArg);
    baselinePath = built.kernelPath;
    baselineBoot = built.boot;
    baselineName = `the kernel of ${baselineArg}, built from git: \`--baseline-rev ${baselineArg}\``;
  }
  const temp = await tempDir();
  const kernel = join(temp.dir, 'phantom.elf');
  await copyFile(kernelPath, kernel);
  let baseline;
  if (baselinePath) {
    baseline = { path: baselineName, kernel: join(temp.dir, 'baseline.elf') };
    if (baselineBoot) bootOf = (k) => (k === baseline.kernel ? baselineBoot : {});
    await copyFile(baselinePath, baseline.kernel);
  }
  try {
    const sections = [];
    for (const name of PARTS.filter((p) => only.includes(p))) {
      const section = SECTIONS[name].write(await runPart(name, temp.dir, kernel, baseline));
      process.stdout.write(`${section}\n\n`);
      sections.push({ key: SECTIONS[name].key, text: section });
    }
    const before = await readFile(out, 'utf8').catch(() => '');
    await writeFile(out, replaceSections(before, PREAMBLE, sections));
  } finally {
    await temp.cleanup();
  }
}

await main();
