// The timeline's record of generations: what retention reclaims and what a checkpoint revert
// takes off the disk stay on the timeline, ids stay unique when the kernel reuses numbers, damage
// the store finds is shown on the generations still on it, and a damaged history file loses only
// its damaged lines.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Generation as StoreGeneration } from '@phantom/vm-manager/node/index.js';
import { GenerationHistory, MAX_RECORDS } from './timeline-history.js';

const dir = mkdtempSync(join(tmpdir(), 'ph-history-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2026-11-25T20:00:00Z');

function stored(number: number, parent: number | null, second: number): StoreGeneration {
  return {
    number,
    parent,
    committedAt: new Date(T0 + second * 1000).toISOString(),
    stats: {
      machineMs: second * 1000,
      pauseUs: 120,
      pagesCopiedOnWrite: 1,
      pagesWritten: 3,
      bytesWritten: 12288,
      writeUs: 50,
      commitUs: 40,
    },
    damage: null,
    resumes: false,
  };
}

/** Generations `from..to` of one branch, one a second, the first with parent `parent`. */
function chain(from: number, to: number, parent: number | null, firstSecond: number): StoreGeneration[] {
  const out: StoreGeneration[] = [];
  for (let n = from; n <= to; n++) out.push(stored(n, n === from ? parent : n - 1, firstSecond + (n - from)));
  return out;
}

test('generations that retention reclaimed stay, marked as no longer on the disk', async () => {
  const history = GenerationHistory.inMemory();
  await history.merge({ generations: chain(1, 10, null, 0), resumes: 10 });
  // A rollback to 4: 11.. descend from 4; retention then kept 1, 4, 10 (the old tip) and 11..13.
  await history.merge({ generations: [...chain(1, 10, null, 0), ...chain(11, 12, 4, 20)], resumes: 12 });
  const thinned = [stored(1, null, 0), stored(4, 3, 3), stored(10, 9, 9), ...chain(11, 13, 4, 20)];
  const timeline = await history.merge({ generations: thinned, resumes: 13 });
  assert.equal(timeline.generations.length, 13);
  const byNumber = new Map(timeline.generations.map((g) => [g.number, g]));
  assert.deepEqual(
    timeline.generations.filter((g) => g.onDisk).map((g) => g.number),
    [1, 4, 10, 11, 12, 13],
  );
  assert.equal(byNumber.get(7)!.onDisk, false);
  // Parents by id, exact even where the parent left the disk.
  assert.equal(byNumber.get(11)!.parent, byNumber.get(4)!.id);
  assert.equal(byNumber.get(8)!.parent, byNumber.get(7)!.id);
  assert.equal(timeline.current, byNumber.get(13)!.id);
});

test('after a checkpoint revert the kernel reuses numbers; each generation keeps its own id', async () => {
  const file = join(dir, 'revert.jsonl');
  const history = await GenerationHistory.open(file);
  await history.merge({ generations: chain(1, 6, null, 0), resumes: 6 });
  // A revert to a checkpoint taken at generation 3: the disk holds 1..3 again, then new 4', 5'.
  const timeline = await history.merge({
    generations: [...chain(1, 3, null, 0), ...chain(4, 5, 3, 60)],
    resumes: 5,
  });
  assert.equal(timeline.generations.length, 8);
  const fours = timeline.generations.filter((g) => g.number === 4);
  assert.equal(fours.length, 2);
  assert.notEqual(fours[0]!.id, fours[1]!.id);
  assert.deepEqual(
    fours.map((g) => g.onDisk),
    [false, true],
  );
  const newFive = timeline.generations.find((g) => g.number === 5 && g.onDisk)!;
  assert.equal(newFive.parent, fours[1]!.id, 'the new 5 follows the new 4, not the abandoned one');
  assert.equal(timeline.current, newFive.id);

  // Reopened from its file, the history gives the same ids.
  const reopened = await GenerationHistory.open(file);
  const again = await reopened.merge({
    generations: [...chain(1, 3, null, 0), ...chain(4, 5, 3, 60)],
    resumes: 5,
  });
  assert.deepEqual(again, timeline);
  assert.equal(reopened.unreadableLines, 0);
});

test('a revert puts the guest clock back too: reused numbers in the same seconds are still new', async () => {
  const file = join(dir, 'revert-same-seconds.jsonl');
  const history = await GenerationHistory.open(file);
  await history.merge({ generations: chain(1, 6, null, 0), resumes: 6 });
  // A revert to generation 3: the kernel commits 4' and 5' at the seconds 4 and 5 were, its own
  // measurements (TSC µs) differing. Only 4' differs from 4; 5' must follow 4' all the same.
  const measured = (g: StoreGeneration, pauseUs: number): StoreGeneration => ({
    ...g,
    stats: { ...g.stats!, pauseUs },
  });
  const reused = chain(4, 5, 3, 3);
  const timeline = await history.merge({
    generations: [...chain(1, 3, null, 0), measured(reused[0]!, 333), reused[1]!],
    resumes: 5,
  });
  assert.equal(timeline.generations.length, 8, "the abandoned 4..6 stay, and 4' and 5' are new");
  const onDisk = timeline.generations.filter((g) => g.onDisk);
  assert.deepEqual(
    onDisk.map((g) => g.number),
    [1, 2, 3, 4, 5],
  );
  const [newFour, newFive] = onDisk.slice(3);
  assert.equal(newFour!.id, 6);
  assert.equal(newFive!.parent, newFour!.id, "5' descends from 4', not from the abandoned 4");
  assert.equal(timeline.current, newFive!.id);
  // Read again (as every poll does), and reopened from the file: the same ids.
  assert.deepEqual(
    await history.merge({
      generations: [...chain(1, 3, null, 0), measured(reused[0]!, 333), reused[1]!],
      resumes: 5,
    }),
    timeline,
  );
  const reopened = await GenerationHistory.open(file);
  assert.deepEqual(
    await reopened.merge({
      generations: [...chain(1, 3, null, 0), measured(reused[0]!, 333), reused[1]!],
      resumes: 5,
    }),
    timeline,
  );
});

test("a revert's branch is placed when it ran, not at the guest clock it put back", async () => {
  const history = GenerationHistory.inMemory();
  const at = (second: number) => T0 + second * 1000;
  await history.merge({ generations: chain(1, 60, null, 0), resumes: 60 }, at(61));
  // At second 120, a revert to a checkpoint taken at generation 3: the guest's clock reads second
  // 3 again, and 4', 5' are committed at guest seconds 3 and 4 (measured differently).
  const reverted = chain(4, 5, 3, 3).map((g) => ({ ...g, stats: { ...g.stats!, pauseUs: 999 } }));
  const timeline = await history.merge(
    { generations: [...chain(1, 3, null, 0), ...reverted], resumes: 5 },
    at(121),
  );
  const newFour = timeline.generations.find((g) => g.number === 4 && g.onDisk)!;
  const newFive = timeline.generations.find((g) => g.number === 5 && g.onDisk)!;
  assert.equal(newFour.time, at(121), 'placed when first seen, after the branch it left');
  assert.equal(newFive.time, at(122), 'its successor keeps the same correction');
  // Read again, the same records: the match is on the guest's own time.
  assert.deepEqual(
    await history.merge({ generations: [...chain(1, 3, null, 0), ...reverted], resumes: 5 }, at(130)),
    timeline,
  );
  // A restart (power cut and start) reads the real time again: no correction then.
  const restarted = { ...stored(6, 5, 200), stats: { ...stored(6, 5, 200).stats!, pauseUs: 999 } };
  const later = await history.merge(
    { generations: [...chain(1, 3, null, 0), ...reverted, restarted], resumes: 6 },
    at(201),
  );
  assert.equal(later.generations.find((g) => g.number === 6 && g.onDisk)!.time, at(200));
});

test('damage the store finds shows on the timeline; "you are here" is where the kernel resumes', async () => {
  const history = GenerationHistory.inMemory();
  const generations = chain(1, 6, null, 0);
  generations[5] = {
    ...generations[5]!,
    damage: { kind: 'contents', reason: 'its object space is not sound' },
  };
  generations[4] = {
    ...generations[4]!,
    parent: 9,
    damage: { kind: 'entry', reason: 'its parent 9 is not older than it' },
  };
  const timeline = await history.merge({ generations, resumes: 4 });
  const byNumber = new Map(timeline.generations.map((g) => [g.number, g]));
  assert.equal(byNumber.get(6)!.damage, 'its object space is not sound');
  assert.equal(byNumber.get(5)!.damage, 'its parent 9 is not older than it');
  assert.equal(byNumber.get(4)!.damage, null);
  assert.equal(
    timeline.current,
    byNumber.get(4)!.id,
    'the newest generation the kernel would resume, not the newest',
  );
  // Once the disk no longer holds it, a generation is shown as gone, not as damaged.
  const later = await history.merge({ generations: chain(1, 4, null, 0), resumes: 4 });
  assert.equal(later.generations.find((g) => g.number === 6)!.damage, null);
});

test('a torn last line and garbage lines are skipped; the rest of the history is kept', async () => {
  const file = join(dir, 'damaged.jsonl');
  const history = await GenerationHistory.open(file);
  await history.merge({ generations: chain(1, 5, null, 0), resumes: 5 });
  const good = readFileSync(file, 'utf8');
  assert.equal(good.trim().split('\n').length, 5);
  appendFileSync(file, 'not json\n{"id":99,"number":-1}\n{"id":5,"number":6,"parentNu');
  const reopened = await GenerationHistory.open(file);
  assert.equal(reopened.size, 5);
  assert.equal(reopened.unreadableLines, 3);
  // Still numbering after the good records, and appending after the damage.
  const timeline = await reopened.merge({ generations: chain(1, 6, null, 0), resumes: 6 });
  assert.deepEqual(
    timeline.generations.map((g) => g.id),
    [0, 1, 2, 3, 4, 5],
  );
  const third = await GenerationHistory.open(file);
  assert.equal(third.size, 6);
});

test('a history file that is not a file is an error, not a crash', async () => {
  await assert.rejects(GenerationHistory.open(dir), /EISDIR/);
});

test('past MAX_RECORDS the oldest records no longer on the disk are forgotten', async () => {
  const file = join(dir, 'big.jsonl');
  const lines: string[] = [];
  for (let id = 0; id < MAX_RECORDS + 10; id++)
    lines.push(
      JSON.stringify({
        id,
        number: id,
        parentNumber: id === 0 ? null : id - 1,
        parentId: id === 0 ? null : id - 1,
        time: T0 + id * 1000,
        pauseMs: null,
        dirtyPages: null,
      }),
    );
  writeFileSync(file, `${lines.join('\n')}\n`);
  const history = await GenerationHistory.open(file);
  assert.equal(history.size, MAX_RECORDS);
  const timeline = await history.merge({ generations: [stored(0, null, 0)], resumes: 0 });
  // Generation 0 was among the oldest and was forgotten; seen on the disk again, it is new.
  assert.equal(timeline.generations.at(-1)!.number, 0);
  assert.equal(timeline.generations.at(-1)!.id, MAX_RECORDS + 10);
  // Adding it went past the cap once more: the oldest record not on the disk went.
  assert.equal(timeline.generations.length, MAX_RECORDS);
  assert.equal(timeline.generations[0]!.number, 11);
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, MAX_RECORDS);
});
