// freeze-pause.mjs — the stop-the-world pause (pager_freeze, the kernel's TSC figure from its
// "snapshot: froze N pages in X us" line) over many generations of one configuration, to tell a
// slow freeze from a host that took the vCPU away: the distribution, and the pause per frozen page;
// beside it, the write faults that lifted a frozen region's protection (their count per generation
// and the longest, from the "frozen regions unprotected" line).
// Usage: node kernel-src/tests/bench/freeze-pause.mjs [--space MiB] [--percent P] [--samples N]
//        [--icount SHIFT]
// (defaults 64 MiB, 10%, 40). The guest rewrites that share of the space's pages in a loop.
// --icount runs QEMU with `-icount shift=SHIFT`: the guest's clock (and TSC) advances 2^SHIFT ns per
// instruction, so the figures count the work done, whatever the host's other load. -icount exists
// only under TCG, so that run uses TCG whatever the accelerator decision is, and says so.
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { acceleratorLine } from '../../../scripts/bench-header.mjs';
import { dirtierSource } from '../lib/dirtier.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { percentile } from '../lib/powercut.mjs';
import { accelerator, icountClock, tempDir } from '../qemu.mjs';

const { values } = parseArgs({
  options: {
    space: { type: 'string', default: '64' },
    percent: { type: 'string', default: '10' },
    samples: { type: 'string', default: '40' },
    icount: { type: 'string' },
  },
});
const spaceMiB = Number(values.space);
const percent = Number(values.percent);
const samples = Number(values.samples);
const icount = values.icount === undefined ? undefined : Number(values.icount);
if (
  ![spaceMiB, percent, samples].every((n) => Number.isInteger(n) && n > 0) ||
  percent > 90 ||
  (icount !== undefined && !(Number.isInteger(icount) && icount >= 0 && icount <= 10))
) {
  console.error('usage: freeze-pause.mjs [--space MiB] [--percent 1..90] [--samples N] [--icount 0..10]');
  process.exit(2);
}
const FREEZE_LINE = /^snapshot: froze (\d+) pages in (\d+) us$/;
const GENERATION_LINE = /^snapshot: generation \d+ /;
const REGIONS_LINE = /^snapshot: (\d+) frozen regions unprotected by a write, the longest in (\d+) us$/;
/** Generations skipped first: they hold the fresh allocation, not the steady dirty set. */
const SKIP = 2;
/** The accelerator the guest runs under: the decision's, or TCG for -icount. */
const used = icount === undefined ? { ...accelerator, extraArgs: [] } : icountClock(icount);
const source = dirtierSource(((spaceMiB << 20) / 4096) * (percent / 100), {
  by: 'kernel-src/tests/bench/freeze-pause.mjs',
});

const temp = await tempDir();
try {
  const file = join(temp.dir, 'dirtier.ph');
  await writeFile(file, source);
  const disk = join(temp.dir, 'dirtier.img');
  await buildStoreDisk(disk, [file], ['.bench.dirtier'], { spaceBytes: spaceMiB << 20 });
  const load = loadavg()[0];
  const machine = new Machine({
    disk,
    append: 'snap=500 debug=snapshots',
    memory: spaceMiB > 256 ? '1000M' : '256M',
    accel: used.accel,
    extraArgs: used.extraArgs,
  });
  const freezes = [];
  try {
    let from = 0;
    while (freezes.length < samples + SKIP) {
      const line = await machine.waitForLine(FREEZE_LINE, { from, deadlineMs: 600_000 });
      // The generation's region faults are reported at its commit, just before its generation line.
      const committed = await machine.waitForLine(GENERATION_LINE, { from: line.index, deadlineMs: 600_000 });
      const regions = machine.lines
        .slice(line.index, committed.index)
        .map((l) => REGIONS_LINE.exec(l.line))
        .find(Boolean);
      freezes.push({
        pages: Number(line.match[1]),
        us: Number(line.match[2]),
        regionFaults: regions ? Number(regions[1]) : 0,
        regionFaultUs: regions ? Number(regions[2]) : 0,
      });
      from = committed.index + 1;
    }
  } finally {
    await machine.kill();
  }
  const kept = freezes.slice(SKIP);
  const pauses = kept.map((f) => f.us);
  const perPage = kept.map((f) => f.us / f.pages);
  const over = (limit) => pauses.filter((us) => us > limit).length;
  const clock = icount === undefined ? `${used.accel}, host time` : `tcg -icount shift=${icount}`;
  console.log(acceleratorLine(used));
  console.log();
  console.log(
    `| space | dirty | clock | generations | pages frozen p50 | pause p50 | p90 | p99 | max | per page p50 | over 1 ms | region faults p50 | longest region fault | load average |`,
  );
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(
    `| ${spaceMiB} MiB | ${percent}% | ${clock} | ${kept.length} | ${percentile(
      kept.map((f) => f.pages),
      50,
    )} | ${percentile(pauses, 50)} µs | ${percentile(pauses, 90)} µs | ${percentile(pauses, 99)} µs | ${Math.max(...pauses)} µs | ${percentile(perPage, 50).toFixed(2)} µs | ${over(1000)} | ${percentile(
      kept.map((f) => f.regionFaults),
      50,
    )} | ${Math.max(...kept.map((f) => f.regionFaultUs))} µs | ${load.toFixed(1)} |`,
  );
  console.log(`pauses (µs, in order): ${pauses.join(' ')}`);
} finally {
  await temp.cleanup();
}
