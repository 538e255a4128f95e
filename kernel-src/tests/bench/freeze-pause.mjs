// freeze-pause.mjs — the stop-the-world pause (pager_freeze, the kernel's TSC figure from its
// "snapshot: froze N pages in X us" line) over many generations of one configuration, to tell a
// slow freeze from a host that took the vCPU away: the distribution, and the pause per frozen page.
// Usage: node kernel-src/tests/bench/freeze-pause.mjs [--space MiB] [--percent P] [--samples N]
// (defaults 64 MiB, 10%, 40). The guest rewrites that share of the space's pages in a loop.
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dirtierSource } from '../lib/dirtier.mjs';
import { buildStoreDisk, Machine } from '../lib/machine.mjs';
import { percentile } from '../lib/powercut.mjs';
import { tempDir } from '../qemu.mjs';

const { values } = parseArgs({
  options: {
    space: { type: 'string', default: '64' },
    percent: { type: 'string', default: '10' },
    samples: { type: 'string', default: '40' },
  },
});
const spaceMiB = Number(values.space);
const percent = Number(values.percent);
const samples = Number(values.samples);
if (![spaceMiB, percent, samples].every((n) => Number.isInteger(n) && n > 0) || percent > 90) {
  console.error('usage: freeze-pause.mjs [--space MiB] [--percent 1..90] [--samples N]');
  process.exit(2);
}
const FREEZE_LINE = /^snapshot: froze (\d+) pages in (\d+) us$/;
/** Generations skipped first: they hold the fresh allocation, not the steady dirty set. */
const SKIP = 2;
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
  const machine = new Machine({ disk, append: 'snap=500 debug=snapshots', memory: spaceMiB > 256 ? '1000M' : '256M' });
  const freezes = [];
  try {
    let from = 0;
    while (freezes.length < samples + SKIP) {
      const line = await machine.waitForLine(FREEZE_LINE, { from, deadlineMs: 120_000 });
      freezes.push({ pages: Number(line.match[1]), us: Number(line.match[2]) });
      from = line.index + 1;
    }
  } finally {
    await machine.kill();
  }
  const kept = freezes.slice(SKIP);
  const pauses = kept.map((f) => f.us);
  const perPage = kept.map((f) => f.us / f.pages);
  const over = (limit) => pauses.filter((us) => us > limit).length;
  console.log(`| space | dirty | generations | pages frozen p50 | pause p50 | p90 | p99 | max | per page p50 | over 1 ms | load average |`);
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(
    `| ${spaceMiB} MiB | ${percent}% | ${kept.length} | ${percentile(
      kept.map((f) => f.pages),
      50,
    )} | ${percentile(pauses, 50)} µs | ${percentile(pauses, 90)} µs | ${percentile(pauses, 99)} µs | ${Math.max(...pauses)} µs | ${percentile(perPage, 50).toFixed(2)} µs | ${over(1000)} | ${load.toFixed(1)} |`,
  );
  console.log(`pauses (µs, in order): ${pauses.join(' ')}`);
} finally {
  await temp.cleanup();
}
