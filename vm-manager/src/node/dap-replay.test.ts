/**
 * `phantom dap` replaying a kept generation, driven over stdin/stdout as an editor drives it: the
 * notes image's machine (created from its image, its store disk real, never booted here), its
 * generation 0 replayed: reverse capabilities announced, a breakpoint in notes.ph hit with its
 * locals named, continue, step back, reverse continue, a data breakpoint on the list's count,
 * the end of the replay and back from it; and hostile replay requests (a generation not kept, a
 * damaged disk, no such machine) answered with clear errors while the adapter goes on. Then a
 * generation the counter machine committed while it ran in QEMU (kernel option debug=snapshots,
 * which places each generation in the console log): its replay prints what the machine printed
 * after it, and a log that says otherwise is reported where it first differs.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { seededRandom } from '@phantom/lang/common/seeded-random.js';
import { consoleAfterGeneration, generationPlace } from '../common/generation-console.js';
import { imageMachineConfig } from '../common/image-definition.js';
import { Editor, type Message } from '../test-support/dap-editor.js';
import { BOOT_DEADLINE_MS, type TestState, temporaryState } from '../test-support/fixtures.js';
import { build, SOURCE_ROOT } from './build.js';
import { pollUntil } from './process-watch.js';

const NOTES = join(SOURCE_ROOT, 'lang', 'examples', 'notes.ph');
/** Most a replay request may take here (a replay of notes runs a few thousand instructions). */
const DEADLINE_MS = 30_000;

let state: TestState;

const editors: Editor[] = [];
function editor(): Editor {
  const e = new Editor(state.root, DEADLINE_MS);
  editors.push(e);
  return e;
}

/** The position a replay's stop description names. */
function positionOf(stop: Message): number {
  const m = /position (\d+)/.exec(stop.body.description);
  assert.ok(m, `a replay's stop names its position: ${stop.body.description}`);
  return Number(m[1]);
}

before(async () => {
  state = await temporaryState();
  const built = await build({ image: 'notes' });
  for (const name of ['notes', 'broken'])
    await state.machines.create(name, {
      kernelPath: built.kernelPath,
      ...(built.imagePath ? { imagePath: built.imagePath } : {}),
      ...(built.definition ? imageMachineConfig(built.definition) : {}),
    });
  // The second machine's store disk is damaged beyond reading.
  const broken = await state.machines.get('broken');
  await writeFile(broken.dir.disk, Buffer.alloc(1 << 20, 0xa5));
});

after(async () => {
  for (const e of editors) if (e.child.exitCode === null) e.child.kill('SIGKILL');
  await state.cleanup();
});

test('a replay of notes.ph generation 0 steps forward and back through phantom dap', {
  timeout: 120_000,
}, async () => {
  const e = editor();
  await e.ok('initialize', { adapterID: 'phantom', linesStartAt1: true, pathFormat: 'path' });
  await e.ok('attach', { machine: 'notes', replay: 0 });
  const capabilities = await e.waitFor((m) => m.event === 'capabilities', 'capabilities event');
  assert.equal(capabilities.body.capabilities.supportsStepBack, true);
  assert.equal(capabilities.body.capabilities.supportsDataBreakpoints, true);
  const first = await e.stopped();
  assert.equal(positionOf(first), 0);
  const thread = first.body.threadId as number;
  const bp = await e.ok('setBreakpoints', { source: { path: NOTES }, breakpoints: [{ line: 46 }] });
  assert.equal(bp.body.breakpoints[0].verified, true, JSON.stringify(bp.body));
  await e.ok('configurationDone');

  // Forward: the three hits of the loop's body, i = 0, 1, 2.
  const hits: number[] = [];
  for (let i = 0; i < 3; i++) {
    await e.ok('continue', { threadId: thread });
    const stop = await e.stopped();
    assert.equal(stop.body.reason, 'breakpoint');
    hits.push(positionOf(stop));
    const top = await e.top(thread);
    assert.equal(top.name, '.demo.notes.run');
    assert.equal(top.line, 46);
    assert.equal(top.locals.get('i'), String(i));
    assert.equal(top.locals.get('first'), '1');
  }
  assert.ok(hits[0]! < hits[1]! && hits[1]! < hits[2]!);

  // Back: reverse continue lands on the hit before, with its locals; step back goes before it.
  await e.ok('reverseContinue', { threadId: thread });
  let stop = await e.stopped();
  assert.equal(positionOf(stop), hits[1]);
  assert.equal((await e.top(thread)).locals.get('i'), '1');
  await e.ok('stepBack', { threadId: thread });
  stop = await e.stopped();
  assert.ok(positionOf(stop) < hits[1]!);
  const back = await e.top(thread);
  assert.equal(back.name, '.demo.notes.run');
  assert.equal(back.line, 45, 'one statement back from the loop body is the loop header');
  // And forward again from there: the next step is the same hit as before.
  await e.ok('next', { threadId: thread });
  stop = await e.stopped();
  assert.equal(positionOf(stop), hits[1]);

  // A data breakpoint on the list's count: stops once per note added, count going up by one.
  const frames = (await e.ok('stackTrace', { threadId: thread })).body.stackFrames;
  const scopes = (await e.ok('scopes', { frameId: frames[0].id })).body.scopes;
  let listRef = 0;
  for (const scope of scopes)
    for (const v of (await e.ok('variables', { variablesReference: scope.variablesReference })).body
      .variables)
      if (v.name === 'list') listRef = v.variablesReference;
  assert.ok(listRef > 0, 'the list is an object with fields');
  const info = await e.ok('dataBreakpointInfo', { variablesReference: listRef, name: 'count' });
  assert.ok(info.body.dataId, JSON.stringify(info.body));
  await e.ok('setBreakpoints', { source: { path: NOTES }, breakpoints: [] });
  await e.ok('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId }] });
  await e.ok('continue', { threadId: thread });
  stop = await e.stopped();
  assert.equal(stop.body.reason, 'data breakpoint');
  assert.match(stop.body.description, /data changed 1 → 2/);

  // To the end: the output is the program's, and the replay can still go back.
  await e.ok('setDataBreakpoints', { breakpoints: [] });
  await e.ok('continue', { threadId: thread });
  stop = await e.stopped();
  assert.match(stop.body.description, /every thread has ended/);
  const output = e.messages
    .filter((m) => m.event === 'output' && m.body.category === 'stdout')
    .map((m) => m.body.output)
    .join('');
  assert.match(output, /notes: 3\n {2}1\. note 1 written at run 1\n/);
  await e.ok('setBreakpoints', { source: { path: NOTES }, breakpoints: [{ line: 46 }] });
  await e.ok('reverseContinue', { threadId: thread });
  stop = await e.stopped();
  assert.equal(positionOf(stop), hits[2]);
  await e.ok('disconnect');
});

test('hostile replay requests get clear errors and the adapter goes on', { timeout: 120_000 }, async () => {
  const e = editor();
  await e.ok('initialize', { adapterID: 'phantom', pathFormat: 'path' });
  let r = await e.request('attach', { machine: 'notes', replay: 99 });
  assert.equal(r.success, false);
  assert.match(
    r.message,
    /cannot replay generation 99 of 'notes': generation 99 is not in the index \(kept: 0\)/,
  );
  r = await e.request('attach', { machine: 'notes', replay: -1 });
  assert.match(r.message, /'replay' must be an integer of at least 0/);
  r = await e.request('attach', { machine: 'notes', replay: '0' });
  assert.match(r.message, /'replay' must be an integer/);
  r = await e.request('attach', { machine: 'broken', replay: 0 });
  assert.equal(r.success, false);
  assert.match(r.message, /cannot replay generation 0 of 'broken': /);
  r = await e.request('attach', { machine: 'nobody', replay: 0 });
  assert.match(r.message, /nobody/);
  r = await e.request('launch', { machine: 'notes', replay: 0, image: 'notes' });
  assert.match(r.message, /without 'image' or 'program'/);
  // Still serving: a good replay after all that, and a live-only request refused saying why.
  await e.ok('attach', { machine: 'notes', replay: 0 });
  const threadId = (await e.stopped()).body.threadId as number;
  // A replay stops at throws as the machine does (notes throws none: it runs to its end).
  await e.ok('setExceptionBreakpoints', { filters: ['all'] });
  await e.ok('continue', { threadId });
  assert.match((await e.stopped()).body.description as string, /every thread has ended/);
  await e.ok('disconnect');
});

test("fuzz: random arguments to the replay's requests are each answered; the replay goes on", {
  timeout: 120_000,
}, async () => {
  const e = editor();
  await e.ok('initialize', { adapterID: 'phantom', pathFormat: 'path' });
  await e.ok('attach', { machine: 'notes', replay: 0 });
  const thread = (await e.stopped()).body.threadId as number;
  const random = seededRandom(19);
  const hostile: unknown[] = [
    thread,
    0,
    -1,
    2 ** 40,
    0.5,
    'x',
    '1:1',
    '999999999:0',
    null,
    [],
    {},
    [{ dataId: '0:0' }],
  ];
  const keys = ['threadId', 'granularity', 'variablesReference', 'name', 'breakpoints', 'dataId', 'frameId'];
  const commands = [
    'stepBack',
    'reverseContinue',
    'dataBreakpointInfo',
    'setDataBreakpoints',
    'next',
    'stepIn',
    'stepOut',
    'continue',
    'pause',
    'stackTrace',
    'variables',
  ];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  for (let round = 0; round < 150; round++) {
    const args: Record<string, unknown> = {};
    for (const key of keys) if (random() < 0.4) args[key] = pick(hostile);
    const r = await e.request(pick(commands), args);
    if (!r.success) assert.ok(String(r.message ?? '').length > 0, 'an error says why');
    // A run a request started ends in a stop before the next request, so each one meets a stopped
    // replay; pause tells a stop of its own.
    if (
      r.success &&
      ['stepBack', 'reverseContinue', 'next', 'stepIn', 'stepOut', 'continue', 'pause'].includes(r.command)
    ) {
      await e.stopped();
    }
  }
  await e.ok('setDataBreakpoints', { breakpoints: [] });
  await e.ok('reverseContinue', { threadId: thread });
  const stop = await e.stopped();
  assert.match(stop.body.description, /position 0 of the replay/);
  await e.ok('disconnect');
});

test('a replay of a generation the counter committed in QEMU prints what the machine printed after it', {
  timeout: 8 * BOOT_DEADLINE_MS,
}, async () => {
  const built = await build({ image: 'counter' });
  await state.machines.create('counter', {
    kernelPath: built.kernelPath,
    ...(built.imagePath ? { imagePath: built.imagePath } : {}),
    ...(built.definition ? imageMachineConfig(built.definition) : {}),
    kernelCommandLine: 'debug=snapshots',
  });
  const machine = await state.machines.get('counter');
  await machine.start();
  // The first generation still kept after the machine stopped (at 100 generations a second the
  // store thins early ones) with six ticks printed after it.
  const placedIn = (log: string, kept: (n: number) => boolean) => {
    for (const m of log.matchAll(/snapshot: generation (\d+) \(parent/g)) {
      const got = consoleAfterGeneration(log, Number(m[1]));
      const ticks = 'text' in got ? got.text.split('\n').filter((l) => l.startsWith('tick')) : [];
      if (Number(m[1]) > 0 && kept(Number(m[1])) && ticks.length >= 6)
        return { generation: Number(m[1]), expected: ticks.slice(0, 6) };
    }
    return undefined;
  };
  const ticked = await pollUntil(
    async () =>
      placedIn(await readFile(machine.consoleLogPath, 'utf8').catch(() => ''), () => true) !== undefined,
    4 * BOOT_DEADLINE_MS,
    500,
  );
  await machine.stop();
  assert.ok(ticked, 'the counter committed a generation and ticked six times after it');
  const kept = new Set((await machine.generations()).map((g) => g.number));
  const placed = placedIn(await readFile(machine.consoleLogPath, 'utf8'), (n) => kept.has(n));
  assert.ok(placed, `a generation with six ticks after it is kept: ${[...kept].join(' ')}`);
  const { generation, expected } = placed;

  const replayTicks = async (): Promise<{ ticks: string[]; notices: string[] }> => {
    const e = editor();
    await e.ok('initialize', { adapterID: 'phantom', pathFormat: 'path' });
    await e.ok('attach', { machine: 'counter', replay: generation });
    const thread = (await e.stopped()).body.threadId as number;
    await e.ok('continue', { threadId: thread });
    const said = () =>
      e.messages
        .filter((m) => m.event === 'output' && m.body.category === 'stdout')
        .map((m) => m.body.output)
        .join('');
    assert.ok(
      await pollUntil(async () => said().split('\n').length > 7, DEADLINE_MS, 100),
      `the replay ticks; stderr:\n${e.stderr()}`,
    );
    await e.ok('pause', { threadId: thread });
    const notices = e.messages
      .filter((m) => m.event === 'output' && m.body.category === 'important')
      .map((m) => m.body.output as string);
    await e.ok('disconnect');
    return { ticks: said().split('\n').slice(0, 6), notices };
  };

  const first = await replayTicks();
  assert.deepEqual(
    first.ticks,
    expected,
    'the replay prints the ticks the machine printed after the generation',
  );
  assert.deepEqual(first.notices, [], `the ticks after generation ${generation}: ${expected.join(', ')}`);

  // A log that says otherwise (the third tick after the generation changed) is caught at that line.
  const log = await readFile(machine.consoleLogPath, 'utf8');
  let at = generationPlace(log, generation)! - 1; /* the line break before the generation's output */
  for (const tick of expected.slice(0, 3)) at = log.indexOf(`\n${tick}\r`, at) + 1;
  assert.ok(at > 0);
  await writeFile(
    machine.consoleLogPath,
    `${log.slice(0, at)}tick 999999${log.slice(at + expected[2]!.length)}`,
  );
  const second = await replayTicks();
  assert.equal(second.notices.length, 1, second.notices.join(''));
  assert.match(
    second.notices[0]!,
    new RegExp(
      `diverges from the machine's console at line 3 after generation ${generation}.*"tick 999999", the replay "${expected[2]}"`,
    ),
  );
});
