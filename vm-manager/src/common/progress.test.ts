/**
 * The progress bar's text as a pure function of one event and the time into its step, and the
 * helper that wraps an action as a step (started, then finished or failed).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type MachineProgressEvent, type ProgressEvent, progressLine, progressStep } from './progress.js';

test('a started step shows its share of the bar, what it does and the time so far', () => {
  assert.equal(
    progressLine({ kind: 'step-started', step: 'revert', percent: 50 }, 1234, 10),
    '[#####-----]  50% reverting… 1.2 s',
  );
  assert.equal(
    progressLine({ kind: 'step-started', step: 'kernel', percent: 0 }, 0, 4),
    '[----]   0% building the kernel… 0.0 s',
  );
});

test('a finished step says what was done, and an up-to-date build step says so', () => {
  assert.equal(
    progressLine({ kind: 'step-finished', step: 'checkpoint', percent: 100 }, 2500, 10),
    '[##########] 100% checkpoint saved (2.5 s)',
  );
  assert.equal(
    progressLine({ kind: 'step-finished', step: 'image', percent: 100, outcome: 'up-to-date' }, 40, 10),
    '[##########] 100% image up to date (0.0 s)',
  );
  assert.equal(
    progressLine({ kind: 'step-finished', step: 'kernel', percent: 70, outcome: 'built' }, 9000, 10),
    '[#######---]  70% kernel built (9.0 s)',
  );
});

test('a failed step says where the bar stopped, not the error (the CLI prints that)', () => {
  assert.equal(
    progressLine({ kind: 'step-failed', step: 'auto-checkpoint', percent: 0 }, 800, 10),
    '[----------]   0% keeping the present as a checkpoint failed (0.8 s)',
  );
  assert.equal(
    progressLine({ kind: 'step-failed', step: 'classes', percent: 70, message: 'phc: 2 errors' }, 100, 10),
    '[#######---]  70% compiling the classes failed (0.1 s)',
  );
});

test('a step that fell back says so and why, where the bar stands', () => {
  assert.equal(
    progressLine(
      {
        kind: 'step-fell-back',
        step: 'rollback-in-place',
        percent: 40,
        reason: 'the machine is paused; restarting from generation 3',
      },
      300,
      10,
    ),
    '[####------]  40% rolling back in place not possible, falling back: the machine is paused; restarting from generation 3 (0.3 s)',
  );
});

test('logs and diagnostics are no progress', () => {
  assert.equal(progressLine({ kind: 'log', step: 'kernel', line: 'cc -c main.c' }, 0), undefined);
  const diagnostic = { tool: 'gcc', file: 'a.c', line: 1, col: 2, severity: 'error', message: 'x' } as const;
  assert.equal(progressLine({ kind: 'diagnostic', step: 'kernel', diagnostic }, 0), undefined);
});

test('percentages out of range and odd times never break the line', () => {
  const odd: ProgressEvent[] = [
    { kind: 'step-started', step: 'start', percent: -5 },
    { kind: 'step-started', step: 'start', percent: 250 },
    { kind: 'step-started', step: 'start', percent: Number.NaN },
  ];
  for (const event of odd) {
    const line = progressLine(event, -100, 8);
    assert.match(line ?? '', /^\[[#-]{8}\] +\d{1,3}% starting the machine… 0\.0 s$/);
  }
});

test('progressStep reports start and finish, or start and failure, and passes the result on', async () => {
  const events: MachineProgressEvent[] = [];
  assert.equal(
    await progressStep(
      'stop',
      10,
      40,
      (e) => events.push(e),
      async () => 'done',
    ),
    'done',
  );
  assert.deepEqual(events, [
    { kind: 'step-started', step: 'stop', percent: 10 },
    { kind: 'step-finished', step: 'stop', percent: 40 },
  ]);
  events.length = 0;
  await assert.rejects(
    progressStep(
      'stop',
      10,
      40,
      (e) => events.push(e),
      async () => {
        throw new Error('no');
      },
    ),
    /no/,
  );
  assert.deepEqual(events, [
    { kind: 'step-started', step: 'stop', percent: 10 },
    { kind: 'step-failed', step: 'stop', percent: 10 },
  ]);
  assert.equal(await progressStep('stop', 0, 100, undefined, async () => 7), 7);
});

test('progressStep reports a fall-back instead of a finish when the result names a reason', async () => {
  const events: MachineProgressEvent[] = [];
  const reasonOf = (value: number | string) => (typeof value === 'string' ? value : undefined);
  const record = (e: MachineProgressEvent) => events.push(e);
  assert.equal(
    await progressStep('rollback-in-place', 40, 100, record, async () => 'it is stopped', reasonOf),
    'it is stopped',
  );
  assert.deepEqual(events, [
    { kind: 'step-started', step: 'rollback-in-place', percent: 40 },
    { kind: 'step-fell-back', step: 'rollback-in-place', percent: 40, reason: 'it is stopped' },
  ]);
  events.length = 0;
  assert.equal(await progressStep('rollback-in-place', 40, 100, record, async () => 5, reasonOf), 5);
  assert.deepEqual(events, [
    { kind: 'step-started', step: 'rollback-in-place', percent: 40 },
    { kind: 'step-finished', step: 'rollback-in-place', percent: 100 },
  ]);
});
