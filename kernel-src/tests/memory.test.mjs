// memory.test.mjs — an object space twice the machine's memory (the kernel README's promise, issue
// 15): lib/fill.ph fills the space with data under continuous snapshots. Memory runs out while
// most pages are dirty, so the pager writes pages out to free store blocks and reads them back.
// QEMU is cut (kill -9) right after the first generation committed while pages were out; the
// reboot must mount that generation or a later one (every page checked against its CRC), and the
// two boots must print what phrun prints for the program: a clean OutOfMemory it catches, then
// every word it wrote read back right. npm test runs a 128 MiB space in a 64 MiB guest (about a
// minute under TCG); PHANTOM_FILL_SPACE_MIB=512 runs the 512 MiB in 256 MiB (about five).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildStoreDisk, Machine } from './lib/machine.mjs';
import { kernelDir, tempDir } from './qemu.mjs';

const SPACE_MIB = Number(process.env.PHANTOM_FILL_SPACE_MIB ?? 128);
const SPACE_BYTES = SPACE_MIB << 20;
const MEMORY = `${SPACE_MIB / 2}M`;
/** The space, its generations while it fills, and room to write pages out. */
const DISK_BYTES = SPACE_BYTES * 3;
/** Generous: TCG on two shared cores, where the 512 MiB run takes minutes. */
const DEADLINE_MS = 900_000;
const program = join(kernelDir, 'tests', 'lib', 'fill.ph');
const phrun = join(kernelDir, 'build', 'hosted', 'phrun');
const reference = join(kernelDir, '..', 'lang', 'dist', 'node', 'run-image.js');
const artifacts = join(kernelDir, '..', 'artifacts', 'kernel-boot');
const programLine = /^(filled \d+ MiB|full after \d+ blocks: .*|checked \d+ blocks, \d+ wrong)$/;

let temp;
before(async () => {
  temp = await tempDir();
});
after(() => temp?.cleanup());

const programLines = (machine) => machine.lines.map((l) => l.line).filter((l) => programLine.test(l));

function keepLog(name, ...machines) {
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, `${name}.log`), machines.map((m) => m.log).join('\n--- reboot ---\n'));
}

test(`a ${SPACE_MIB} MiB space in a ${SPACE_MIB / 2} MiB guest: pages go out to the store and back; a power cut resumes; the program ends as on phrun`, async () => {
  const disk = join(temp.dir, 'fill.img');
  await buildStoreDisk(join(temp.dir, 'phrun.img'), [program], ['.big.fill'], {
    spaceBytes: SPACE_BYTES,
    diskBytes: DISK_BYTES,
  });
  const hosted = spawnSync(phrun, ['--virtual-clock', join(temp.dir, 'phrun.img')], { encoding: 'utf8' });
  assert.equal(hosted.status, 0, `phrun failed: ${hosted.stderr}`);
  const expected = hosted.stdout.split('\n').filter((l) => programLine.test(l));
  assert.match(expected.at(-2) ?? '', /^full after \d+ blocks: OutOfMemory$/);
  assert.match(expected.at(-1) ?? '', /^checked \d+ blocks, 0 wrong$/);
  // The reference interpreter follows the kernel's allocation model (kernel-src/docs/vm.md, "One
  // model, two VMs"), so the same number of blocks fits: its lines are phrun's, word for word.
  const interpreted = spawnSync(process.execPath, [reference, join(temp.dir, 'phrun.img')], { encoding: 'utf8' });
  assert.equal(interpreted.status, 0, `the reference interpreter failed: ${interpreted.stderr}`);
  assert.deepEqual(
    interpreted.stdout.split('\n').filter((l) => programLine.test(l)),
    expected,
    'the reference interpreter and phrun disagree on the fill program',
  );

  await buildStoreDisk(disk, [program], ['.big.fill'], { spaceBytes: SPACE_BYTES, diskBytes: DISK_BYTES });
  const first = new Machine({ disk, memory: MEMORY, append: 'debug=snapshots' });
  const second = { value: undefined };
  try {
    const full = await first.waitForLine(/^pager: memory is full/, { deadlineMs: DEADLINE_MS });
    const committed = await first.waitForLine(/^snapshot: generation (\d+) /, {
      deadlineMs: DEADLINE_MS,
      from: full.index,
    });
    await first.kill();
    assert.ok(!first.log.includes('PANIC'), 'no panic');
    const before = programLines(first);
    assert.deepEqual(before, expected.slice(0, before.length), 'the first boot prints what phrun prints');

    // The power cut: generation N (or a later one) was committed with pages out of memory.
    const generation = Number(committed.match[1]);
    const rebooted = new Machine({ disk, memory: MEMORY, append: 'debug=snapshots' });
    second.value = rebooted;
    const mounted = await rebooted.waitForLine(/^store: mounted generation (\d+) /, { deadlineMs: DEADLINE_MS });
    assert.ok(Number(mounted.match[1]) >= generation, `mounted generation ${mounted.match[1]}, committed ${generation}`);
    await rebooted.waitForLine(/^vm: every thread has ended/, { deadlineMs: DEADLINE_MS });
    assert.ok(!rebooted.log.includes('damaged') && !rebooted.log.includes('PANIC'), 'the generation verifies');
    const after = programLines(rebooted);
    assert.deepEqual(after, expected.slice(expected.length - after.length), 'the resumed run ends as phrun does');
    assert.ok(before.length + after.length >= expected.length, 'between them the two boots print all of it');
  } catch (err) {
    keepLog('memory-larger-than-ram', first, ...(second.value ? [second.value] : []));
    throw err;
  } finally {
    await first.kill();
    await second.value?.kill();
  }
});
