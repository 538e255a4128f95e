// snapshot.mjs — the persistence benchmarks (issue 5), all in one run under QEMU TCG, written to
// kernel-src/docs/bench-persistence.md:
//   1. stop-the-world pause per snapshot, p50/p99, for 64 MiB and 512 MiB object spaces with 1%,
//      10% and 50% of the pages dirtied per interval (a generated program rewrites that many pages
//      in a loop); beside it, on the same guest in the same run, QEMU's own savevm (QMP
//      snapshot-save on a qcow2 disk): its pause (STOP to RESUME event) and bytes (vm-state-size);
//   2. throughput of the CPU-bound example (lang/examples/bench.ph) with snapshots off, every 1 s
//      and every 100 ms;
//   3. the highest sustainable snapshot rate with a small dirty set (the counter example);
//   4. time from QEMU start to threads running again after a kill, 64 MiB and 512 MiB.
// Environment: PAUSE_SAMPLES (generations per configuration, default 8), THROUGHPUT_RUNS (default 3).
import { execFileSync } from 'node:child_process';
import { copyFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { dirtierSource } from '../lib/dirtier.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { percentile } from '../lib/powercut.mjs';
import { kernelDir, kernelPath, tempDir } from '../qemu.mjs';

const PAUSE_SAMPLES = Number(process.env.PAUSE_SAMPLES ?? 8);
const THROUGHPUT_RUNS = Number(process.env.THROUGHPUT_RUNS ?? 3);
const PAGE = 4096;
/** The dirtying program announces itself and each round: the bench waits on those lines. */
const SOURCE_OPTIONS = { progress: true, by: 'kernel-src/tests/bench/snapshot.mjs' };
const GENERATION_LINE =
  /^snapshot: generation (\d+) \(parent \d+\): pause (\d+) us, (\d+) pages written, (\d+) copied on write, write (\d+) us, commit (\d+) us, (\d+) bytes$/;
const examples = join(kernelDir, '..', 'lang', 'examples');
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

/** Milliseconds from the VM starting its threads to bench.ph's last line, with snapshots every `snap` ms. */
async function throughputRun(dir, kernel, snap) {
  const disk = join(dir, `bench-${snap}.img`);
  await buildStoreDisk(disk, [join(examples, 'bench.ph')], ['.demo.bench']);
  const machine = new Machine({ disk, append: `snap=${snap}`, kernel });
  try {
    const start = await machine.waitForLine(/^debug: protocol/, { deadlineMs: LONG_MS });
    const end = await machine.waitForLine(/^digits: /, { deadlineMs: LONG_MS });
    return end.at - start.at;
  } finally {
    await machine.kill();
  }
}

/** Generations per second achieved over a window with the counter (small dirty set) and snap=`ms`. */
async function rateRun(dir, kernel, ms) {
  const disk = join(dir, `rate-${ms}.img`);
  await buildStoreDisk(disk, [join(examples, 'counter.ph')], ['.demo.counter']);
  const machine = new Machine({ disk, append: `snap=${ms} debug=snapshots`, kernel });
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

/** QEMU start → first program line after a kill -9, on a store that has committed generations. */
async function restoreRun(dir, kernel, spaceMiB) {
  const source = join(dir, `restore-${spaceMiB}.ph`);
  await writeFile(source, dirtierSource(Math.round(((spaceMiB << 20) / PAGE) * 0.1), SOURCE_OPTIONS));
  const disk = join(dir, `restore-${spaceMiB}.img`);
  await buildStoreDisk(disk, [source], ['.bench.dirtier'], { spaceBytes: spaceMiB << 20 });
  const memory = spaceMiB > 256 ? '1000M' : '256M';
  const first = new Machine({ disk, append: 'snap=1000 debug=snapshots', memory, kernel });
  const ready = await first.waitForLine(/^ready$/, { deadlineMs: LONG_MS });
  await first.waitForLine(/^snapshot: generation/, { from: ready.index, deadlineMs: LONG_MS });
  await first.kill();
  const times = [];
  for (let i = 0; i < 3; i++) {
    const again = new Machine({ disk, append: 'snap=1000', memory, kernel });
    try {
      const line = await again.waitForLine(/^round \d+$/, { deadlineMs: LONG_MS });
      times.push(line.at - again.startedAt);
    } finally {
      await again.kill();
    }
  }
  return { spaceMiB, ms: percentile(times, 50), min: Math.min(...times), max: Math.max(...times) };
}

const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

async function main() {
  const temp = await tempDir();
  const kernel = join(temp.dir, 'phantom.elf');
  await copyFile(kernelPath, kernel);
  const started = new Date();
  try {
    const pauseRows = [];
    for (const spaceMiB of [64, 512])
      for (const percent of [1, 10, 50]) {
        process.stderr.write(`pause: ${spaceMiB} MiB, ${percent}% dirty\n`);
        pauseRows.push(await pauseRun(temp.dir, kernel, spaceMiB, percent));
      }
    const throughput = {};
    for (const snap of [0, 1000, 100]) {
      process.stderr.write(`throughput: snap=${snap}\n`);
      const runs = [];
      for (let i = 0; i < THROUGHPUT_RUNS; i++) runs.push(await throughputRun(temp.dir, kernel, snap));
      throughput[snap] = percentile(runs, 50);
    }
    const rates = [];
    for (const ms of [200, 100, 50, 20, 10]) {
      process.stderr.write(`rate: snap=${ms}\n`);
      rates.push(await rateRun(temp.dir, kernel, ms));
    }
    const restores = [];
    for (const spaceMiB of [64, 512]) {
      process.stderr.write(`restore: ${spaceMiB} MiB\n`);
      restores.push(await restoreRun(temp.dir, kernel, spaceMiB));
    }
    const met = rates.filter((r) => r.perSecond >= 0.9 * (1000 / r.ms));
    const bestMet = met.length ? Math.max(...met.map((r) => 1000 / r.ms)) : Number.NaN;
    const fastest = rates.reduce((a, r) => (r.perSecond > a.perSecond ? r : a));
    const md = [
      '# Persistence benchmarks',
      '',
      'Command: `make -C kernel-src bench` (runs `node kernel-src/tests/bench/snapshot.mjs`; `PAUSE_SAMPLES` generations per',
      `configuration, default 8; \`THROUGHPUT_RUNS\`, default 3). Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      'under QEMU TCG (`qemu-system-i386 -accel tcg -nodefaults`) on the development VM: 2 cores shared with other work,',
      'so absolute times are noisy; ratios come from the same guest in the same run.',
      '',
      '## Stop-the-world pause per snapshot',
      '',
      'Our pause is the kernel\'s TSC measurement of `pager_freeze` (write-protect the pages dirtied since the last',
      'generation); the pages are then written while threads run. QEMU\'s savevm (QMP `snapshot-save`, vmstate and',
      'disk on the same qcow2 store disk, after our samples on the same guest) stops the VM from its STOP to its',
      'RESUME event while it writes all of the guest\'s RAM. Guest: a generated program that rewrites the given share of',
      'the space\'s pages in a loop; first two generations skipped (they hold the fresh allocation). Bytes: the store\'s',
      'bytes per generation (pages and metadata) over the dirty bytes (pages written × 4096).',
      '',
      '| space | dirty per interval | guest RAM | our pause p50 | p99 | pages written p50 | write+commit p50 | bytes / dirty bytes | savevm pause | savevm bytes | pause ratio (savevm / our p99) |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...pauseRows.map((r) => {
        const p99 = percentile(r.pauses, 99);
        return `| ${r.spaceMiB} MiB | ${r.percent}% | ${r.memory} | ${fmt(percentile(r.pauses, 50))} µs | ${fmt(p99)} µs | ${r.pagesWritten} | ${fmt(r.writeMs)} ms | ${fmt(r.bytesRatio, 3)} | ${fmt(r.savevmPauseUs / 1000)} ms | ${fmt(r.savevmBytes / 2 ** 20, 1)} MiB | ${fmt(r.savevmPauseUs / Math.max(1, p99))}× |`;
      }),
      '',
      '## Throughput of the CPU-bound example (lang/examples/bench.ph)',
      '',
      `Time from the VM starting its threads to the example's last line, median of ${THROUGHPUT_RUNS} runs.`,
      '',
      '| snapshots | time | throughput vs. off |',
      '| --- | ---: | ---: |',
      ...[0, 1000, 100].map(
        (s) =>
          `| ${s === 0 ? 'off (snap=0)' : `every ${s} ms`} | ${fmt(throughput[s])} ms | ${fmt((100 * throughput[0]) / throughput[s], 1)}% |`,
      ),
      '',
      '## Highest sustainable snapshot rate (counter example: a few pages dirty per generation)',
      '',
      'Generations committed per second over about 5 s; sustainable when at least 90% of the asked rate.',
      '',
      '| snap= | asked per s | committed per s | write+commit p50 |',
      '| ---: | ---: | ---: | ---: |',
      ...rates.map((r) => `| ${r.ms} ms | ${fmt(1000 / r.ms)} | ${fmt(r.perSecond, 1)} | ${fmt(r.writeMs, 1)} ms |`),
      '',
      `Highest asked rate met (within 10%): **${fmt(bestMet)} per second**; most generations committed: ` +
        `**${fmt(fastest.perSecond, 1)} per second** (at snap=${fastest.ms}).`,
      '',
      '## QEMU start to threads running after a kill -9',
      '',
      'A store with committed generations (the 10%-dirty program, killed after its first generation after',
      'allocating), booted 3 times: from spawning QEMU to the program\'s first line. Includes QEMU\'s own start.',
      '',
      '| space | p50 | min | max |',
      '| ---: | ---: | ---: | ---: |',
      ...restores.map((r) => `| ${r.spaceMiB} MiB | ${fmt(r.ms)} ms | ${fmt(r.min)} ms | ${fmt(r.max)} ms |`),
      '',
    ].join('\n');
    await writeFile(out, md);
    process.stdout.write(md);
  } finally {
    await temp.cleanup();
  }
}

await main();
