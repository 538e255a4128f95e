import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consoleAfterGeneration, generationPlace } from './generation-console.js';

test('a checkpoint tail places its generation in the log; hub marks and carriage returns go', () => {
  const log =
    'boot\r\ntick 1\r\ntick 2\r\n\r\n── checkpoint a (10:00:00) ──\r\ntick 3\r\ntick 4\r\n\r\n── stopped (10:00:01) ──\r\n';
  const got = consoleAfterGeneration(log, 5, 'tick 1\r\ntick 2\r\n');
  assert.deepEqual(got, { text: 'tick 3\ntick 4\n', anchor: 'checkpoint' });
});

test("the kernel's snapshot lines place a generation at its freeze, not its commit", () => {
  const log = [
    'tick 1',
    'snapshot: froze 12 pages in 40 us',
    'tick 2',
    'snapshot: generation 7 (parent 6): pause 40 us, 12 pages written, 0 copied on write, write 9 us, commit 3 us, 4096 bytes',
    'tick 3',
    'snapshot: froze 3 pages in 10 us',
    'tick 4',
    '',
  ].join('\r\n');
  assert.deepEqual(consoleAfterGeneration(log, 7), {
    text: 'tick 2\ntick 3\ntick 4\n',
    anchor: 'snapshot-lines',
  });
  // Generation 1 is not generation 17's prefix; a generation the log does not place says why.
  const other = consoleAfterGeneration(log.replace('generation 7 ', 'generation 17 '), 1);
  assert.ok('problem' in other && /does not place generation 1 /.test(other.problem));
  // A freeze line of an earlier generation is not this one's.
  const noFreeze =
    'a\nsnapshot: froze 1 pages in 1 us\nsnapshot: generation 2 (parent 1): x\nb\nsnapshot: generation 3 (parent 2): y\nc\n';
  assert.deepEqual(consoleAfterGeneration(noFreeze, 3), { text: 'c\n', anchor: 'snapshot-lines' });
});

test('a generation whose commit came after later freezes is placed at its own numbered freeze', () => {
  const commit = (n: number) =>
    `snapshot: generation ${n} (parent ${n - 1}): pause 9 us, 1 pages written, 0 copied on write, write 9 us, commit 3 us, 4096 bytes`;
  const log = [
    'tick 0',
    // An earlier boot froze 7 and lost power before committing it.
    'snapshot: froze 5 pages of generation 7 in 30 us',
    'tick 1',
    'store: mounted generation 6 (parent 5)',
    'snapshot: froze 12 pages of generation 7 in 40 us, prepared in 20 us while idle',
    'tick 2',
    'snapshot: froze 3 pages of generation 8 in 10 us',
    'tick 3',
    commit(7),
    'tick 4',
    'snapshot: froze 1 pages of generation 9 in 5 us',
    commit(8),
    'tick 5',
    commit(9),
    '',
  ].join('\r\n');
  assert.deepEqual(consoleAfterGeneration(log, 7), {
    text: 'tick 2\ntick 3\ntick 4\ntick 5\n',
    anchor: 'snapshot-lines',
  });
  assert.deepEqual(consoleAfterGeneration(log, 8), {
    text: 'tick 3\ntick 4\ntick 5\n',
    anchor: 'snapshot-lines',
  });
  assert.deepEqual(consoleAfterGeneration(log, 9), { text: 'tick 5\n', anchor: 'snapshot-lines' });
  // A log that lost both freeze lines of 7: not 8's freeze, but 7's commit line places it.
  const lost = log
    .split('\r\n')
    .filter((line) => !line.includes('of generation 7 in'))
    .join('\r\n');
  assert.equal(generationPlace(lost, 7), lost.indexOf(commit(7)));
});

test('a checkpoint tail the log no longer holds falls back to the snapshot lines, then to a reason', () => {
  assert.ok('problem' in consoleAfterGeneration('x\n', 2, 'gone'));
  assert.deepEqual(consoleAfterGeneration('snapshot: generation 2 (parent 1): z\ny\n', 2, 'gone'), {
    text: 'y\n',
    anchor: 'snapshot-lines',
  });
});
