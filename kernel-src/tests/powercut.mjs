// powercut.mjs — the power-cut soak: `npm run soak:powercut -- --kills N [--interval MS] [--flip-every K]`
// (defaults: 500 kills, snapshots every 10 ms, a flipped bit every 10th kill: by turns in a
// page of the newest generation and in its record or page map). Kills QEMU with SIGKILL at random moments, reboots, verifies
// every restore (lib/powercut.mjs) and prints a table: kills, restores verified, failures,
// flipped-bit fallbacks (how many of them in pages), newest-state age p50/p99 (and p99 less the
// write in flight at each kill, which issue 21 bounds by 50 ms), restore time p50/p99,
// under the accelerator line every benchmark table carries (scripts/bench-header.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { acceleratorLine } from '../../scripts/bench-header.mjs';
import { percentile, runPowercut } from './lib/powercut.mjs';
import { accelerator, kernelDir, tempDir } from './qemu.mjs';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '500' },
    interval: { type: 'string', default: '10' },
    'flip-every': { type: 'string', default: '10' },
  },
});
const kills = Number(values.kills);
const intervalMs = Number(values.interval);
const flipEvery = Number(values['flip-every']);
for (const [name, n] of [['--kills', kills], ['--interval', intervalMs], ['--flip-every', flipEvery]]) {
  if (!Number.isInteger(n) || n < 0 || (name !== '--flip-every' && n < 1)) {
    console.error(`powercut: ${name} must be a whole number${name === '--flip-every' ? '' : ' > 0'}`);
    process.exit(2);
  }
}

/** Ctrl-C or SIGTERM ends the soak after the restore in progress, and the table covers what ran. */
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop.abort());

const temp = await tempDir();
const started = performance.now();
let flips = 0;
let pageFlips = 0;
try {
  const result = await runPowercut({
    dir: temp.dir,
    kills,
    intervalMs,
    flipEvery,
    signal: stop.signal,
    onRound: ({ round, problem, flipped }) => {
      if (flipped) flips++;
      if (flipped?.what.startsWith('page ')) pageFlips++;
      process.stderr.write(`\rround ${round}/${kills}${problem ? ` FAILED: ${problem}\n` : ''}`);
    },
  });
  const artifacts = join(kernelDir, '..', 'artifacts', 'powercut');
  if (result.failures.length) {
    mkdirSync(artifacts, { recursive: true });
    result.failures.forEach((f, i) => writeFileSync(join(artifacts, `failure-${i}.log`), `${f.message}\n\n${f.log}`));
  }
  const ms = (v) => `${Math.round(v)} ms`;
  process.stderr.write('\n');
  console.log(acceleratorLine(accelerator));
  console.log();
  console.log(`| kills | restores verified | failures | flipped-bit fallbacks (in pages) | newest-state age p50 | p99 | p99 less the write in flight | QEMU start → threads running p50 | p99 | snapshot interval | wall time |`);
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(
    `| ${result.rounds} | ${result.rounds - result.failures.length} | ${result.failures.length} | ${flips} (${pageFlips}) | ${ms(percentile(result.ages, 50))} | ${ms(percentile(result.ages, 99))} | ${ms(percentile(result.agesBeyondWrite, 99))} | ${ms(percentile(result.restoreMs, 50))} | ${ms(percentile(result.restoreMs, 99))} | ${intervalMs} ms | ${Math.round((performance.now() - started) / 1000)} s |`,
  );
  for (const f of result.failures) console.log(`round ${f.round}: ${f.message}`);
  if (result.failures.length) console.log(`console logs: ${artifacts}/failure-*.log`);
  process.exitCode = result.failures.length ? 1 : 0;
} finally {
  await temp.cleanup();
}
