// powercut.test.mjs — the short power-cut run of npm test: 20 kills -9 of QEMU at random moments
// (about half of them around a snapshot's freeze and write), a flipped bit in the newest
// generation every fifth time, and after every reboot the checks of lib/powercut.mjs. The soak
// run with its table is `npm run soak:powercut -- --kills N` (tests/powercut.mjs).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runPowercut } from './lib/powercut.mjs';
import { kernelDir, tempDir } from './qemu.mjs';

const KILLS = 20;
const artifacts = join(kernelDir, '..', 'artifacts', 'kernel-boot');

let temp;
before(async () => {
  temp = await tempDir();
});
after(() => temp?.cleanup());

test(`${KILLS} power cuts: every restore keeps the invariant, loses no committed generation, is at most one interval old`, async () => {
  const result = await runPowercut({ dir: temp.dir, kills: KILLS, intervalMs: 500, flipEvery: 5 });
  if (result.failures.length) {
    mkdirSync(artifacts, { recursive: true });
    result.failures.forEach((f, i) => writeFileSync(join(artifacts, `powercut-${i}.log`), f.log));
  }
  assert.deepEqual(
    result.failures.map((f) => `round ${f.round}: ${f.message}`),
    [],
    `console logs in ${artifacts}/powercut-*.log`,
  );
  assert.ok(result.ages.length >= KILLS - KILLS / 5, 'every kill without a flipped bit measured an age');
});
