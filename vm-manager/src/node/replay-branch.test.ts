/**
 * Continuing a machine from a replay's state (Machine.continueFromSpace, store-branch.ts), on the
 * counter image in real QEMU: a replay of a kept generation, stopped by `phantom dap` at a tick
 * the machine never reached, becomes a new branch of the running machine's store
 * (`continueMachineFromHere`), and the restarted machine prints the tick that follows from that
 * state and goes on counting, its old branch still listed. `phantom continue` does the same for a
 * stopped machine, which boots the new generation when started, printing the tick the replay
 * itself prints next. Bad input changes nothing on the disk: a generation not kept, a replay that
 * is running, a machine removed since the replay began, a store too full, a space the kernel
 * would refuse.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Replay } from '@phantom/inspector/common/replay.js';
import { openStoreFile } from '@phantom/inspector/node/store-file.js';
import type { BuildResult } from '../common/api.js';
import { imageMachineConfig } from '../common/image-definition.js';
import { Editor, type Message } from '../test-support/dap-editor.js';
import { BOOT_DEADLINE_MS, runPhantom, type TestState, temporaryState } from '../test-support/fixtures.js';
import { build, SOURCE_ROOT } from './build.js';
import { pollUntil } from './process-watch.js';
import { generationSpace } from './replay-branch.js';
import { writeBranch } from './store-branch.js';

const COUNTER = join(SOURCE_ROOT, 'lang', 'examples', 'counter.ph');
const DEADLINE_MS = 30_000;
/** The replay stops at this hit of tick()'s println: far past any tick the machine prints here. */
const HITS = 2000;

let state: TestState;
let built: BuildResult;
const editors: Editor[] = [];

function editor(): Editor {
  const e = new Editor(state.root, DEADLINE_MS);
  editors.push(e);
  return e;
}

async function sha(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** The tick numbers the machine printed after the console's line containing `mark`. */
async function ticksAfter(path: string, mark: string): Promise<number[]> {
  const log = await readFile(path, 'utf8').catch(() => '');
  const at = log.indexOf(mark);
  if (at < 0) return [];
  return [...log.slice(at).matchAll(/^tick (\d+)\r?$/gm)].map((m) => Number(m[1]));
}

/** Waits for the machine to print three ticks after the console's line containing `mark`. */
async function threeTicksAfter(path: string, mark: string): Promise<void> {
  assert.ok(
    await pollUntil(async () => (await ticksAfter(path, mark)).length >= 3, 4 * BOOT_DEADLINE_MS, 500),
    'the machine ticks after continuing',
  );
}

function createFrom(name: string, imagePath: string, snapshotIntervalMs?: number) {
  return state.machines.create(name, {
    kernelPath: built.kernelPath,
    ...(built.definition ? imageMachineConfig(built.definition) : {}),
    ...(snapshotIntervalMs !== undefined ? { snapshotIntervalMs } : {}),
    imagePath,
  });
}

before(async () => {
  state = await temporaryState();
  built = await build({ image: 'counter' });
  await createFrom('counter', built.imagePath!);
});

after(async () => {
  for (const e of editors) if (e.child.exitCode === null) e.child.kill('SIGKILL');
  await state.cleanup();
});

test('a replay stopped past every kept generation continues the running counter through phantom dap', {
  timeout: 8 * BOOT_DEADLINE_MS,
}, async () => {
  const machine = await state.machines.get('counter');
  await machine.start();
  assert.ok(
    await pollUntil(async () => (await machine.generations()).length >= 3, 4 * BOOT_DEADLINE_MS, 500),
    'the counter commits generations',
  );
  const kept = await machine.generations();
  const generation = kept[1]!.number;
  const e = editor();
  await e.ok('initialize', { adapterID: 'phantom', linesStartAt1: true, pathFormat: 'path' });
  await e.ok('attach', { machine: 'counter', replay: generation });
  const thread = (await e.stopped()).body.threadId as number;
  const disksBefore = await machine.generations();

  // Asked while the replay runs, it is refused: the state changes under it. Nothing is written.
  await e.ok('continue', { threadId: thread });
  const running = await e.request('continueMachineFromHere');
  assert.equal(running.success, false);
  assert.match(running.message, /while the replay runs: pause it first/);
  await e.ok('pause', { threadId: thread });
  await e.stopped();

  // Then to tick()'s println, at its HITS-th hit or the first after where the pause left it.
  const line = (await readFile(COUNTER, 'utf8')).split('\n').findIndex((l) => l.includes('tty.println')) + 1;
  const bp = await e.ok('setBreakpoints', {
    source: { path: COUNTER },
    breakpoints: [{ line, hitCondition: String(HITS) }],
  });
  assert.equal(bp.body.breakpoints[0].verified, true, JSON.stringify(bp.body));
  await e.ok('continue', { threadId: thread });
  const stop = await e.stopped();
  assert.equal(stop.body.reason, 'breakpoint');
  const top = await e.top(thread);
  assert.equal(top.name, '.demo.counter.tick');
  assert.equal(top.line, line);

  // The replay printed every tick before this one; count++ ran, the println of the next has not.
  const printed = e.messages
    .filter((m: Message) => m.event === 'output' && m.body.category === 'stdout')
    .map((m: Message) => m.body.output as string)
    .join('');
  const replayTicks = [...printed.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));
  const next = replayTicks.at(-1)! + 1;
  const machineTicks = await ticksAfter(machine.consoleLogPath, '');
  assert.ok(
    next > Math.max(...machineTicks) + 100,
    `tick ${next} is past every tick the machine printed (${Math.max(...machineTicks)}), so no kept generation holds this state`,
  );
  const numbers = (await machine.generations()).map((g) => g.number);
  assert.ok(
    disksBefore.every((g) => numbers.includes(g.number)),
    'the refused request lost no generation',
  );

  const continued = await e.ok('continueMachineFromHere');
  assert.equal(continued.body.parent, generation);
  assert.equal(continued.body.path, 'in-place', JSON.stringify(continued.body));
  assert.ok(continued.body.autoCheckpoint, 'the present was kept as a checkpoint first');
  const newest = Math.max(...disksBefore.map((g) => g.number));
  assert.ok(continued.body.generation > newest, JSON.stringify(continued.body));
  await e.waitFor(
    (m) => m.event === 'output' && /continues from generation \d+ \(a new branch/.test(m.body.output),
    'the adapter says the machine continues',
  );

  // The running machine's program goes on from the replay's state: the println that was next,
  // printed after the kernel's line saying it put the space over the parent.
  const mark = `store: continued from a space in place: generation ${continued.body.generation} (parent ${generation})`;
  await threeTicksAfter(machine.consoleLogPath, mark);
  const ticks = await ticksAfter(machine.consoleLogPath, mark);
  assert.deepEqual(ticks.slice(0, 3), [next, next + 1, next + 2]);
  assert.equal((await machine.status()).state, 'running');

  // The branch is on the timeline as a rollback's is: the new generation's parent is the replayed
  // one, and the old branch's generations are all still kept.
  const now = await machine.generations();
  const made = now.find((g) => g.number === continued.body.generation);
  assert.equal(made?.parent, generation);
  for (const g of disksBefore)
    assert.ok(
      now.some((n) => n.number === g.number),
      `generation ${g.number} kept`,
    );
  const checkpoints = (await machine.dir.readCheckpoints()).checkpoints.map((c) => c.name);
  assert.ok(checkpoints.includes(continued.body.autoCheckpoint));
  await e.ok('disconnect');

  // A space the kernel would not run is refused in place; the machine runs on, nothing committed.
  const space = generationSpace(machine, generation, 'disk-problem');
  space.fill(0, 0, 64);
  await assert.rejects(
    machine.continueFromSpace(generation, space, { autoCheckpoint: 'skip' }),
    /did not continue from the space: .*the space is not one the kernel would run: not an object space/,
  );
  assert.equal((await machine.status()).state, 'running');
  const refusedAt = (await readFile(machine.consoleLogPath, 'utf8')).length;
  assert.ok(
    await pollUntil(
      async () => /tick \d+/.test((await readFile(machine.consoleLogPath, 'utf8')).slice(refusedAt)),
      BOOT_DEADLINE_MS,
      500,
    ),
    'the machine ticks on after the refusal',
  );
  const children = (await machine.generations()).filter((g) => g.parent === generation).map((g) => g.number);
  assert.ok(
    children.every((n) => n === generation + 1 || n === continued.body.generation),
    `the refused space was not committed: children of ${generation} are ${children.join(', ')}`,
  );

  // A paused machine cannot go on in place: it restarts on the new generation.
  const replay = new Replay(generationSpace(machine, generation, 'disk-problem'));
  replay.goto(200_000);
  await machine.pause();
  const restarted = await machine.continueFromSpace(generation, replay.spaceHere(), {
    autoCheckpoint: 'skip',
  });
  assert.equal(restarted.path, 'restart');
  assert.match(restarted.restartReason ?? '', /the machine is paused/);
  assert.equal((await machine.status()).state, 'running');
  await threeTicksAfter(machine.consoleLogPath, `store: mounted generation ${restarted.generation} `);
  await machine.stop();
});

test('phantom continue on a stopped machine: it boots the replay state when started', {
  timeout: 6 * BOOT_DEADLINE_MS,
}, async () => {
  const machine = await state.machines.get('counter');
  assert.equal((await machine.status()).state, 'stopped');
  const env = { ...process.env, PHANTOM_STATE_DIR: state.root };
  const disk = await sha(machine.dir.disk);

  const unknown = await runPhantom(['continue', 'counter', 'gen:99999', '--at', '10'], env);
  assert.equal(unknown.code, 3, unknown.stderr);
  assert.match(unknown.stderr, /generation 99999 is not in the index/);
  const tooFar = await runPhantom(['continue', 'counter', 'gen:0', '--at', 'x'], env);
  assert.equal(tooFar.code, 2, tooFar.stderr);
  assert.equal(await sha(machine.dir.disk), disk, 'refusals wrote nothing');

  // What the replay itself prints next, from the same generation and position.
  const generation = (await machine.generations()).at(-1)!.number;
  const at = 150_000;
  const opened = openStoreFile(machine.dir.disk);
  const space = opened.store.readGenerationPages(generation);
  opened.close();
  const out: string[] = [];
  const replay = new Replay(space, { onOutput: (b) => out.push(new TextDecoder().decode(b)) });
  replay.goto(at);
  const before = out.join('');
  replay.continue(at + 100_000);
  const expected = [
    ...out
      .join('')
      .slice(before.length)
      .matchAll(/^tick (\d+)$/gm),
  ].map((m) => Number(m[1]));
  assert.ok(expected.length >= 3);

  const r = await runPhantom(['continue', 'counter', `gen:${generation}`, '--at', String(at), '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const done = JSON.parse(r.stdout);
  assert.equal(done.path, 'next-start');
  assert.equal(done.parent, generation);
  assert.equal(done.position, at);
  assert.equal((await machine.status()).state, 'stopped', 'a stopped machine stays stopped');

  await machine.start();
  const mark = `continued from a replay of generation ${generation} at instruction ${at}`;
  await threeTicksAfter(machine.consoleLogPath, mark);
  assert.deepEqual((await ticksAfter(machine.consoleLogPath, mark)).slice(0, 3), expected.slice(0, 3));
  await machine.stop();
});

test('a machine removed, a full store and a space the kernel refuses: clear errors, nothing written', {
  timeout: 8 * BOOT_DEADLINE_MS,
}, async () => {
  // A store with room for generation 0 and little more: the replay's state does not fit.
  const small = join(state.root, 'small.img');
  await promisify(execFile)(process.execPath, [
    join(SOURCE_ROOT, 'lang', 'bin', 'phc.mjs'),
    'image',
    built.imagePath!.replace(/\.img$/, '.phx'),
    '--main',
    '.demo.counter',
    '-o',
    small,
    '--space-bytes',
    String(16 << 20),
    '--disk-bytes',
    String(100 * 4096),
  ]);
  // A generation a second: at the images' 10 ms, every tick commits one, and on this full disk
  // the periodic snapshots drop the parent to make room before the check below could see it.
  await createFrom('full', small, 1000);
  const full = await state.machines.get('full');
  const disk = await sha(full.dir.disk);
  const env = { ...process.env, PHANTOM_STATE_DIR: state.root };
  const r = await runPhantom(['continue', 'full', 'gen:0', '--at', '300000'], env);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /the disk is full: the branch needs \d+ free blocks, the store has \d+; nothing was written/,
  );
  assert.equal(await sha(full.dir.disk), disk);

  const opened = openStoreFile(full.dir.disk);
  const space = opened.store.readGenerationPages(0);
  opened.close();
  space.fill(0, 0, 64);
  await assert.rejects(
    writeBranch(full.dir.disk, 0, space, full.dir.path),
    /not a space the kernel would run/,
  );
  assert.equal(await sha(full.dir.disk), disk);

  // Running, the kernel refuses it in place for the same reason, before it changes anything.
  await full.start();
  assert.ok(
    await pollUntil(async () => (await full.generations()).length >= 2, 4 * BOOT_DEADLINE_MS, 500),
    'the small store commits generations',
  );
  const parent = (await full.generations()).at(-1)!.number;
  const big = new Replay(generationSpace(full, parent, 'disk-problem'));
  big.goto(300_000);
  await assert.rejects(
    full.continueFromSpace(parent, big.spaceHere(), { autoCheckpoint: 'skip' }),
    /did not continue from the space: .*the disk is full: the branch needs \d+ free blocks, the store has \d+; nothing changed/,
  );
  assert.equal((await full.status()).state, 'running');
  assert.ok(
    (await full.generations()).some((g) => g.number === parent),
    'the parent is still kept',
  );
  await full.stop();

  // The machine goes away while a replay of it stands.
  await createFrom('gone', built.imagePath!);
  const e = editor();
  await e.ok('initialize', { adapterID: 'phantom', pathFormat: 'path' });
  await e.ok('attach', { machine: 'gone', replay: 0 });
  await e.stopped();
  await state.machines.remove('gone');
  const gone = await e.request('continueMachineFromHere');
  assert.equal(gone.success, false);
  assert.match(gone.message, /no machine named 'gone'/);
  // The adapter goes on.
  assert.ok((await e.ok('threads')).body.threads.length > 0);
  await e.ok('disconnect');
});
