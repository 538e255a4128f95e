// freeze-pause.mjs — the stop-the-world pause (pager_freeze, the kernel's TSC figure from its
// "snapshot: froze N pages in X us" line) over many generations of one configuration, to tell a
// slow freeze from a host that took the vCPU away: the distribution, and the pause per frozen page;
// beside it, the write faults that lifted a frozen region's protection (their count per generation
// and the longest, from the "frozen regions unprotected" line), and the freeze's preparation while
// the machine idled before it (", prepared in X us while idle" on the freeze line: the TLB flush done
// ahead, snapshot_before_idle), so that what left the pause is shown where it went.
// Usage: node kernel-src/tests/bench/freeze-pause.mjs [--space MiB] [--percent P] [--samples N]
//        [--icount SHIFT] [--kernel LABEL=PATH ...] [--kernel-rev LABEL=REV ...] [--rounds N]
// (defaults 64 MiB, 10%, 40). The guest rewrites that share of the space's pages in a loop.
// --kernel (repeatable) runs the same guest on each kernel given (a build of main beside this one),
// one machine each per round, in turn (the order alternates from round to round so neither kernel
// always runs first), one table row per machine; default: this tree's kernel. --kernel-rev
// (repeatable) adds the kernel of a git revision (tests/bench/baseline-kernel.mjs builds it once into
// kernel-src/build/ and boots as it needs: an older one on SeaBIOS), run before --kernel's; this
// tree's kernel runs when neither is given. Each kernel is copied first, so a rebuild during the
// run does not change what runs.
// --icount runs QEMU with `-icount shift=SHIFT`: the guest's clock (and TSC) advances 2^SHIFT ns per
// instruction, so the figures count the work done, whatever the host's other load. -icount exists
// only under TCG, so that run uses TCG whatever the accelerator decision is, and says so.
import { copyFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { acceleratorLine } from '../../../scripts/bench-header.mjs';
import { dirtierSource } from '../lib/dirtier.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { percentile } from '../lib/powercut.mjs';
import { accelerator, icountClock, kernelPath, tempDir } from '../qemu.mjs';
import { revisionKernels } from './baseline-kernel.mjs';

const { values } = parseArgs({
  options: {
    space: { type: 'string', default: '64' },
    percent: { type: 'string', default: '10' },
    samples: { type: 'string', default: '40' },
    icount: { type: 'string' },
    kernel: { type: 'string', multiple: true },
    'kernel-rev': { type: 'string', multiple: true },
    rounds: { type: 'string', default: '1' },
  },
});
const spaceMiB = Number(values.space);
const percent = Number(values.percent);
const samples = Number(values.samples);
const icount = values.icount === undefined ? undefined : Number(values.icount);
const rounds = Number(values.rounds);
/** The kernels to run: { label, path }; --kernel-rev's first, built from git by baseline-kernel.mjs. */
const fromRevisions = await revisionKernels(values['kernel-rev']);
const kernels = [
  ...(fromRevisions ?? [undefined]),
  ...(values.kernel ?? (values['kernel-rev'] ? [] : [`this build=${kernelPath}`])).map((spec) => {
    const at = spec.indexOf('=');
    return at > 0 ? { label: spec.slice(0, at), path: spec.slice(at + 1) } : undefined;
  }),
];
if (
  kernels.includes(undefined) ||
  ![spaceMiB, percent, samples, rounds].every((n) => Number.isInteger(n) && n > 0) ||
  percent > 90 ||
  (icount !== undefined && !(Number.isInteger(icount) && icount >= 0 && icount <= 10))
) {
  console.error(
    'usage: freeze-pause.mjs [--space MiB] [--percent 1..90] [--samples N] [--icount 0..10] [--kernel LABEL=PATH ...] [--kernel-rev LABEL=REV ...] [--rounds N]',
  );
  process.exit(2);
}
/**
 * The freeze line; a kernel that prepared the freeze while idle adds how long that took, and one
 * since 2026-12-07 names the generation (absent from the lines of a --kernel-rev built before).
 */
const FREEZE_LINE = /^snapshot: froze (\d+) pages(?: of generation \d+)? in (\d+) us(?:, prepared in (\d+) us while idle)?$/;
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
  const copies = [];
  for (const [i, k] of kernels.entries()) {
    const copy = join(temp.dir, `kernel-${i}.elf`);
    await copyFile(k.path, copy);
    copies.push({ ...k, copy });
  }
  const rows = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? copies : [...copies].reverse();
    for (const k of order) rows.push({ kernel: k.label, ...(await measure(k.copy, disk, file, k.boot)) });
  }
  const clock = icount === undefined ? `${used.accel}, host time` : `tcg -icount shift=${icount}`;
  console.log(acceleratorLine(used));
  console.log();
  console.log(
    `| kernel | space | dirty | clock | generations | pages frozen p50 | pause p50 | p90 | p99 | max | per page p50 | over 1 ms | prepared while idle | preparation p50 | longest preparation | region faults p50 | longest region fault | load average |`,
  );
  console.log(
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const { kernel, kept, load } of rows) {
    const pauses = kept.map((f) => f.us);
    const perPage = kept.map((f) => f.us / f.pages);
    const over = (limit) => pauses.filter((us) => us > limit).length;
    const prepared = kept.filter((f) => f.preparedUs !== undefined).map((f) => f.preparedUs);
    console.log(
      `| ${kernel} | ${spaceMiB} MiB | ${percent}% | ${clock} | ${kept.length} | ${percentile(
        kept.map((f) => f.pages),
        50,
      )} | ${percentile(pauses, 50)} µs | ${percentile(pauses, 90)} µs | ${percentile(pauses, 99)} µs | ${Math.max(...pauses)} µs | ${percentile(perPage, 50).toFixed(2)} µs | ${over(1000)} | ${prepared.length} | ${
        prepared.length ? `${percentile(prepared, 50)} µs` : 'n/a'
      } | ${prepared.length ? `${Math.max(...prepared)} µs` : 'n/a'} | ${percentile(
        kept.map((f) => f.regionFaults),
        50,
      )} | ${Math.max(...kept.map((f) => f.regionFaultUs))} µs | ${load.toFixed(1)} |`,
    );
  }
  for (const { kernel, kept } of rows) {
    console.log(`${kernel}: pauses (µs, in order): ${kept.map((f) => f.us).join(' ')}`);
    if (kept.some((f) => f.preparedUs !== undefined))
      console.log(`${kernel}: preparations (µs, in order; - for none): ${kept.map((f) => f.preparedUs ?? '-').join(' ')}`);
  }
} finally {
  await temp.cleanup();
}

/**
 * One machine on `kernel` from a fresh store: the first SKIP generations dropped, then `samples`
 * kept. boot: Machine's options for an older kernel (baseline-kernel.mjs's bootOptions).
 */
async function measure(kernel, disk, file, boot = {}) {
  await buildStoreDisk(disk, [file], ['.bench.dirtier'], { spaceBytes: spaceMiB << 20 });
  const load = loadavg()[0];
  const machine = new Machine({
    disk,
    kernel,
    append: 'snap=500 debug=snapshots',
    memory: spaceMiB > 256 ? '1000M' : '256M',
    accel: used.accel,
    extraArgs: used.extraArgs,
    ...boot,
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
        preparedUs: line.match[3] === undefined ? undefined : Number(line.match[3]),
        regionFaults: regions ? Number(regions[1]) : 0,
        regionFaultUs: regions ? Number(regions[2]) : 0,
      });
      from = committed.index + 1;
    }
  } finally {
    await machine.kill();
  }
  return { kept: freezes.slice(SKIP), load };
}
