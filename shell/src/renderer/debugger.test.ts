/**
 * The studio's debugger replaying a generation, over the real host in this process (the API's
 * session, the adapter `phantom dap` serves, vm-manager's machines) and a real store disk: the
 * notes image's machine, created and never booted, whose generation 0 the replay runs. A
 * breakpoint set as the gutter sets it applies to the replay; continue, step, step back and
 * reverse continue land where the adapter says; ending the replay shows the live view again.
 * Replays that cannot be (a generation not kept, a machine whose disk is gone, no such machine)
 * fail with a clear reason and change nothing. No DOM: the Debugger is the panes' model.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { composeServices } from '../host/compose.js';
import { Session } from '../host/session.js';
import { ApiClient } from './api-client.js';
import { Debugger, DebugState } from './debugger.js';

/** notes.ph's loop body: `list.add(…)`, run three times with i = 0, 1, 2. */
const BODY_LINE = 46;
const NOTES = 'examples/notes.ph';
/** A replay of notes runs a few thousand instructions: every wait here is short of this. */
const DEADLINE_MS = 60_000;

let dir: string;
let services: ReturnType<typeof composeServices>;
let api: ApiClient;
let session: Session;
const errors: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ph-debugger-'));
  services = composeServices({ version: '1.0.0', mode: 'browser' }, { PHANTOM_STATE_DIR: dir });
  api = new ApiClient((title, err) => errors.push(`${title}: ${err.message}`));
  session = new Session(services, (frame) => api.receive(frame));
  api.attach({ send: (frame) => void session.receive(frame) });
  await api.call('machines.create', { machine: 'notes', image: 'notes' });
  await api.call('machines.create', { machine: 'diskless', image: 'notes' });
});

after(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

function debuggerOf(): Debugger {
  return new Debugger(
    api,
    () => undefined,
    (title, err) => errors.push(`${title}: ${String(err)}`),
  );
}

async function until(d: Debugger, what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!done()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}; status: ${d.status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits for the stop an action makes, and reads where it is: line, position, the loop's `i`. */
async function stopAfter(
  d: Debugger,
  action: () => Promise<void>,
): Promise<{ line: number; position: number; i: string | undefined }> {
  const before = d.selectedFrame;
  await action();
  await until(
    d,
    'the stop',
    () => d.state === DebugState.Stopped && d.selectedFrame !== undefined && d.selectedFrame !== before,
  );
  const frame = d.selectedFrame!;
  const position = Number(/position (\d+)/.exec(d.status)?.[1]);
  assert.ok(Number.isInteger(position), `a replay's stop names its position: ${d.status}`);
  const scopes = await d.scopes(frame);
  let i: string | undefined;
  for (const scope of scopes)
    for (const v of await d.variables(scope.variablesReference)) if (v.name === 'i') i = v.value;
  return { line: frame.line, position, i };
}

test('a replay of notes.ph steps forward and back, with the gutter breakpoints, and ends back at the live view', {
  timeout: 180_000,
}, async () => {
  // The machine's console as the kernel logs it with debug=snapshots, placing generation 0; its
  // third line is not what notes.ph prints, so the replay parts from it there.
  const notes = await services.machines.machine('notes');
  await writeFile(
    notes.consoleLogPath,
    [
      'snapshot: froze 3 pages',
      'snapshot: generation 0 (parent 0): 3 pages',
      'notes: 3',
      '  1. note 1 written at run 1',
      '  2. note 2 written at run two',
      '',
    ].join('\n'),
  );
  const d = debuggerOf();
  d.toggleBreakpoint(NOTES, BODY_LINE);
  assert.equal(d.replaying, undefined);
  await d.replay('notes', 0);
  assert.deepEqual(d.replaying, { machine: 'notes', generation: 0 });
  await until(d, 'the stop at the generation', () => d.state === DebugState.Stopped);
  assert.match(d.status, /position 0 of the replay of generation 0/);
  assert.equal(d.statusOf(NOTES, BODY_LINE)?.verified, true, 'the gutter breakpoint is set in the replay');
  assert.equal(d.unavailable('stepBack'), undefined);

  const hit = await stopAfter(d, () => d.continueOrStart());
  assert.deepEqual([hit.line, hit.i], [BODY_LINE, '0']);
  assert.equal(d.fileOf(d.selectedFrame), NOTES);
  const first = await stopAfter(d, () => d.step('next'));
  const second = await stopAfter(d, () => d.step('next'));
  assert.ok(hit.position < first.position && first.position < second.position);
  // From the body, a step goes to the loop's `i++`, the next to its condition (a statement of its own).
  assert.deepEqual([first.line, first.i, second.line, second.i], [45, '0', 45, '1']);
  const back = await stopAfter(d, () => d.stepBack());
  assert.deepEqual(back, first, 'a step back lands where the step before it did');
  const reverse = await stopAfter(d, () => d.reverseContinue());
  assert.deepEqual(reverse, hit, 'reverse continue goes back to the breakpoint hit');
  assert.ok(d.output.some((line) => /replaying generation 0 of 'notes'/.test(line)));
  // Continue, twice: the thread is back at the breakpoint before the continue is answered, and
  // that stop stands (it is not taken for the continue's running), so the next continue goes on.
  for (const i of ['1', '2']) {
    const again = await stopAfter(d, () => d.continueOrStart());
    assert.deepEqual([again.line, again.i], [BODY_LINE, i]);
    assert.equal(d.state, DebugState.Stopped, d.status);
    assert.match(d.status, /^Stopped/);
  }

  // On to the end: the replay's output, and where it parts from the machine's, in the output.
  d.setBreakpointEnabled(NOTES, BODY_LINE, false);
  await until(d, 'the breakpoint to leave the replay', () => d.statusOf(NOTES, BODY_LINE) === undefined);
  await d.continueOrStart();
  await until(d, 'the divergence notice', () =>
    d.output.some((line) =>
      /^⚠ replay diverges from the machine's console at line 3 after generation 0 .*" {2}2\. note 2 written at run two".*" {2}2\. note 2 written at run 1"/.test(
        line,
      ),
    ),
  );
  assert.ok(d.output.includes('notes: 3'), "the replay's own output is shown");

  await d.endReplay();
  assert.equal(d.replaying, undefined);
  assert.equal(d.state, DebugState.Inactive, 'the live view again: no live session was open');
  assert.equal(d.selectedFrame, undefined);
  assert.match(d.status, /^Not debugging/);
  assert.match(d.unavailable('stepBack') ?? '', /only a replay goes back/);
  assert.ok(d.breakpointAt(NOTES, BODY_LINE), 'the breakpoints stay the user’s');
  assert.deepEqual(errors, []);
});

test('a replay that cannot be opened says why and leaves everything as it was', {
  timeout: 60_000,
}, async () => {
  const d = debuggerOf();
  d.toggleBreakpoint(NOTES, BODY_LINE);
  await assert.rejects(d.replay('notes', 999), /cannot replay generation 999 of 'notes'.*kept/i);
  assert.equal(d.replaying, undefined);
  assert.equal(d.state, DebugState.Inactive);
  await assert.rejects(d.replay('nobody', 0), /nobody/);
  const diskless = await services.machines.machine('diskless');
  await unlink(diskless.dir.disk);
  await assert.rejects(d.replay('diskless', 0), /cannot replay generation 0 of 'diskless'/);
  await assert.rejects(d.replay('notes', -1), /not a generation number/);
  assert.equal(d.replaying, undefined);
  assert.equal(d.state, DebugState.Inactive);
  assert.deepEqual(d.breakpoints.toDap(NOTES), [{ line: BODY_LINE }]);
  // After all that a replay still opens.
  await d.replay('notes', 0);
  await until(d, 'the stop at the generation', () => d.state === DebugState.Stopped);
  await d.endReplay();
  assert.equal(d.replaying, undefined);
});
