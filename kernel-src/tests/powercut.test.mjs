// powercut.test.mjs — the short power-cut run of npm test: 20 kills -9 of QEMU at random moments
// (about half of them around a snapshot's freeze and write), a flipped bit in the newest
// generation every fifth time (by turns in a page it wrote and in its record or page map), and
// after every reboot the checks of lib/powercut.mjs, at the kernel's default snapshot interval
// (no snap= on its command line: every 10 ms, the 100 Hz of issue 21, also the soak's default). The soak run with its table is `npm run soak:powercut -- --kills N` (tests/powercut.mjs). Also: a
// rollback with gen=N starts a new branch whose first generation has parent N.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildStoreDisk, Machine } from './lib/machine.mjs';
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
  const result = await runPowercut({ dir: temp.dir, kills: KILLS, flipEvery: 5 });
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

test('gen=N boots generation N, and the next commit starts a branch whose parent is N', async () => {
  const disk = join(temp.dir, 'rollback.img');
  await buildStoreDisk(disk, [join(kernelDir, '..', 'lang', 'examples', 'counter.ph')], ['.demo.counter']);
  const generationLine = /^snapshot: generation (\d+) \(parent (\d+)\)/;
  const first = new Machine({ disk, append: 'snap=300 debug=snapshots' });
  try {
    await first.waitForLine(/^snapshot: generation 3 /);
  } finally {
    await first.kill();
  }
  const newest = Math.max(...first.lines.map((l) => Number(generationLine.exec(l.line)?.[1] ?? -1)));
  const ticksAt = (lines, generation) => {
    const at = lines.findIndex((l) => l.line.startsWith(`snapshot: generation ${generation} `));
    return Math.max(...lines.slice(0, at).map((l) => Number(/^tick (\d+)$/.exec(l.line)?.[1] ?? 0)));
  };
  const rolled = new Machine({ disk, append: 'snap=300 debug=snapshots gen=1' });
  try {
    await rolled.waitForLine(/^store: mounted generation 1 /);
    const tick = await rolled.waitForLine(/^tick (\d+)$/);
    const resumed = Number(tick.match[1]);
    const atGen1 = ticksAt(first.lines, 1);
    assert.ok(
      resumed >= atGen1 && resumed <= atGen1 + 2,
      `resumed at tick ${resumed}; generation 1 was taken after tick ${atGen1}`,
    );
    const branch = await rolled.waitForLine(generationLine);
    assert.equal(Number(branch.match[2]), 1, "the new generation's parent is the rolled-back one");
    assert.ok(Number(branch.match[1]) > newest, 'the new branch does not reuse the numbers of the old one');
  } finally {
    await rolled.kill();
  }
});
