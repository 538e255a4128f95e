/**
 * Replaying a generation in the studio, as a user does: a notes machine boots and commits
 * generations; from generation 0's menu on the timeline the debugger opens a replay of it (the
 * adapter's replay target, on the reference interpreter: the machine runs on untouched), with a
 * banner saying it is a replay of generation 0, not the live machine. A breakpoint set in
 * notes.ph's gutter applies to it; F5 continues to it, F10 steps twice, Alt+F10 steps back once,
 * Alt+F5 reverse-continues to the breakpoint. After each stop the marked line and the loop's `i`
 * in the variables are checked against the replay engine itself, run here at the position the
 * stop names. A screenshot of the stepped replay goes to artifacts/e2e/replay-stepped.png; End
 * replay shows the live debugger again. Then a machine whose store disk is gone: its replay says
 * why it cannot be, and nothing is lost. Needs QEMU; skipped with the reason where it is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { localsAt } from '@phantom/inspector/common/dap-sources.js';
import { ReplayTarget } from '@phantom/inspector/common/replay-target.js';
import { openStoreFile } from '@phantom/inspector/node/store-file.js';
import type { CompiledMethod } from '@phantom/lang/common/compiled.js';
import { compile } from '@phantom/lang/common/compiler.js';
import type { Locator, Page } from 'playwright-core';
import { artifactsDir, cspViolations, repoRoot, runPhantom } from './fixtures.js';
import { DebuggerPage } from './pages/debugger-page.js';
import {
  ConsolePage,
  EditorPage,
  MACHINE_DEADLINE_MS,
  MachineBarPage,
  TimelinePage,
} from './pages/panels.js';
import { openStudioSession, type StudioSession } from './studio-session.js';

const qemu = spawnSync('qemu-system-i386', ['--version'], { encoding: 'utf8' });
const problem = qemu.status === 0 ? undefined : 'qemu-system-i386 is not installed';
if (problem) console.log(`# replay journey skipped: ${problem}`);

const NOTES_FILE = join(repoRoot, 'lang', 'examples', 'notes.ph');
/** notes.ph's loop body, `list.add(…)`: run three times, with i = 0, 1, 2. */
const BODY_LINE = 46;

let session: StudioSession | undefined;
let page: Page;
let pageErrors: string[] = [];
let debug: DebuggerPage;

before(async () => {
  if (problem) return;
  session = await openStudioSession({ viewport: { width: 1400, height: 860 } });
  ({ page, pageErrors } = session);
  debug = new DebuggerPage(page);
});

after(async () => {
  // The studio's close cuts the power of the picked machine only; the last step picks another.
  if (session) await runPhantom(session.studio, 'kill', 'notes');
  await session?.close();
});

/** A step that, when it fails, leaves a screenshot and a report in artifacts/e2e/failed-replay-*. */
function step(name: string, body: () => Promise<void>): void {
  test(name, { skip: problem }, async () => {
    try {
      await body();
    } catch (err) {
      await debug.reportFailure('failed-replay', name, err, session?.studio.output() ?? '');
      throw err;
    }
  });
}

function diskOf(machine: string): string {
  return join(session!.studio.stateDir, 'machines', machine, 'disk.qcow2');
}

/**
 * What the replay engine itself says of generation `generation` of `machine` at `position`
 * (instructions since the generation): the innermost frame's line, and its local `i` when it has
 * one in scope, named by the debug info notes.ph compiles to.
 */
async function engineAt(
  machine: string,
  generation: number,
  position: number,
): Promise<{ line: number; i: string | undefined }> {
  const opened = openStoreFile(diskOf(machine));
  let space: Uint8Array;
  try {
    space = opened.store.readGenerationPages(generation);
  } finally {
    opened.close();
  }
  const target = new ReplayTarget(space, { generation, yieldToHost: () => Promise.resolve() });
  try {
    target.replay.goto(position);
    assert.equal(target.replay.position, position);
    const frame = await target.frame(target.replay.thread - 1, 0);
    const { program } = compile([{ file: NOTES_FILE, text: readFileSync(NOTES_FILE, 'utf8') }]);
    assert.ok(program, 'notes.ph compiles');
    const run: CompiledMethod | undefined = program.classes
      .find((c) => c.name === '.demo.notes')
      ?.methods.find((m) => m.name === 'run');
    assert.ok(run, 'notes.ph has its run method');
    const slot = [...localsAt(run, frame.pc).values()].find((l) => l.name === 'i')?.slot;
    const value = slot === undefined ? undefined : frame.values[slot];
    return { line: frame.line, i: value === undefined ? undefined : String(value.bits) };
  } finally {
    target.dispose();
  }
}

/** The loop's `i` as the variables pane shows it (the Locals scope opens by itself). */
async function shownI(): Promise<string> {
  const value = debug.variable('Locals', 'i');
  await value.waitFor({ timeout: 60_000 });
  return (await value.textContent()) ?? '';
}

/** The line the editor marks and the `i` the variables show are what the engine says at this stop. */
async function matchesEngine(): Promise<{ position: number; line: number; i: string }> {
  const position = await debug.position();
  const engine = await engineAt('notes', 0, position);
  const line = await debug.currentLine();
  assert.equal(line, engine.line, `the marked line at position ${position} is the engine's`);
  assert.ok(engine.i !== undefined, `the engine has i in scope at position ${position}`);
  await page
    .getByTestId('debug-variables')
    .locator('li[data-name="Locals"] li[data-name="i"] [data-testid="debug-variable-value"]')
    .filter({ hasText: new RegExp(`^${engine.i}$`) })
    .waitFor({ timeout: 60_000 });
  return { position, line, i: await shownI() };
}

/** Waits for a stop of `reason` at a position other than `from` (a new stop, not the one shown). */
async function nextStop(reason: string, from: number): Promise<void> {
  const wanted = new RegExp(`^Stopped \\(${reason}\\).*position (\\d+)`);
  const deadline = Date.now() + MACHINE_DEADLINE_MS;
  for (;;) {
    const m = wanted.exec((await debug.status.textContent()) ?? '');
    if (m && Number(m[1]) !== from) return;
    assert.ok(
      Date.now() < deadline,
      `a new ${reason} stop after position ${from}: ${await debug.status.textContent()}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

step('a notes machine boots, prints its notes and commits generations', async () => {
  const bar = new MachineBarPage(page);
  await bar.createMachine('notes', 'notes');
  await bar.button('start').click();
  await bar.waitForState('running');
  await new ConsolePage(page).waitForText(/root directory has \d+ names/);
  // notes runs once, at boot; after it the machine changes nothing, so a generation is asked for.
  await bar.button('snapshotNow').click();
  const timeline = new TimelinePage(page);
  const generations = async () =>
    Number(/^(\d+)/.exec((await timeline.summary.textContent()) ?? '')?.[1] ?? 0);
  const deadline = Date.now() + MACHINE_DEADLINE_MS;
  while ((await generations()) < 2) {
    assert.ok(Date.now() < deadline, 'a few generations on the timeline');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
});

/**
 * Generation 0's menu on the timeline, opened by the keyboard: the timeline takes it (Ctrl+Alt+L),
 * Home selects the first generation, and Shift+F10 opens its menu, as a right-click on it does.
 * Resolves to its Replay item.
 */
async function generationZeroMenu(): Promise<Locator> {
  await page.keyboard.press('Control+Alt+L');
  await page.keyboard.press('Home');
  await new TimelinePage(page).selection.filter({ hasText: /^Selected: generation 0$/ }).waitFor();
  await page.keyboard.press('Shift+F10');
  return page.getByTestId('timeline-menu-replay');
}

step('generation 0 replays from its menu on the timeline, saying it is not the live machine', async () => {
  const item = await generationZeroMenu();
  assert.equal(await item.textContent(), 'Replay generation 0');
  await item.click();
  await debug.replayBanner
    .filter({ hasText: 'Replay of generation 0 of notes — not the live machine' })
    .waitFor({ timeout: 60_000 });
  await debug.stoppedAt('entry');
  assert.equal(await debug.position(), 0);
  await debug.output.filter({ hasText: "replaying generation 0 of 'notes'" }).waitFor();
  assert.ok(await page.getByTestId('debug-stepBack').isVisible(), 'step back is offered');
  assert.ok(await page.getByTestId('debug-reverseContinue').isVisible(), 'reverse continue is offered');
  assert.equal(await new MachineBarPage(page).state.textContent(), 'running', 'the machine runs on');
});

let hit: { position: number; line: number; i: string };

step("a gutter breakpoint applies to the replay; F5 stops there with the engine's line and i", async () => {
  await new EditorPage(page).open('examples/notes.ph');
  await debug.clickGutter(BODY_LINE);
  await page.locator('[data-panel="editor"] .breakpoint-verified').waitFor({ timeout: 60_000 });
  await page.keyboard.press('F5');
  await nextStop('breakpoint', 0);
  hit = await matchesEngine();
  assert.deepEqual([hit.line, hit.i], [BODY_LINE, '0']);
  assert.match((await debug.frames.first().textContent()) ?? '', /\.demo\.notes\.run.*notes\.ph:46/);
});

step('F10 twice and Alt+F10 once: each stop is where the engine says, and back is where it was', async () => {
  await page.keyboard.press('F10');
  await nextStop('step', hit.position);
  const first = await matchesEngine();
  await page.keyboard.press('F10');
  await nextStop('step', first.position);
  const second = await matchesEngine();
  assert.ok(hit.position < first.position && first.position < second.position);
  await page.keyboard.press('Alt+F10');
  await nextStop('step', second.position);
  const back = await matchesEngine();
  assert.deepEqual(back, first, 'one step back is where the first step stopped');
});

step('Alt+F5 reverse-continues to the breakpoint hit', async () => {
  const from = await debug.position();
  await page.keyboard.press('Alt+F5');
  await nextStop('breakpoint', from);
  assert.deepEqual(await matchesEngine(), hit);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(artifactsDir, 'replay-stepped.png') });
});

step('End replay shows the live debugger again, the machine untouched', async () => {
  await debug.endReplay.click();
  await debug.replayBanner.waitFor({ state: 'hidden' });
  await debug.status.filter({ hasText: /^Not debugging/ }).waitFor({ timeout: 60_000 });
  await page.locator('[data-panel="editor"] .debug-current-glyph').waitFor({ state: 'detached' });
  assert.ok(!(await page.getByTestId('debug-stepBack').isVisible()), 'a live machine does not go back');
  await debug.output.filter({ hasText: "ended the replay of generation 0 of 'notes'" }).waitFor();
  assert.equal(await new MachineBarPage(page).state.textContent(), 'running');
  assert.equal(await debug.glyphs().count(), 1, 'the breakpoint stays');
  assert.equal(await page.locator('.notification.error').count(), 0);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(await cspViolations(page), []);
});

/** How many times the notes machine's console log has notes' last line ("root directory has N names"). */
function notesEnded(): number {
  const log = readFileSync(
    join(session!.studio.stateDir, 'machines', 'notes', 'logs', 'console.log'),
    'latin1',
  );
  return (log.match(/root directory has \d+ names/g) ?? []).length;
}

step("the replay's state continues the machine: a new branch it runs from, the present kept", async () => {
  // Generation 0 again, to its breakpoint: notes is in its loop there, before its first note.
  const timeline = new TimelinePage(page);
  const branches = async () =>
    Number(/(\d+) branch(?:es)?$/.exec((await timeline.summary.textContent()) ?? '')?.[1] ?? 0);
  const before = await branches();
  await (await generationZeroMenu()).click();
  await debug.stoppedAt('entry');
  await page.keyboard.press('F5');
  await nextStop('breakpoint', 0);
  const at = await debug.position();
  const linesBefore = notesEnded();
  await page.getByTestId('debug-continue-machine').click();
  const said = debug.output.filter({
    hasText: /'notes' continues in place from generation (\d+): a new branch from generation 0/,
  });
  await said.waitFor({ timeout: MACHINE_DEADLINE_MS });
  assert.match((await said.textContent()) ?? '', new RegExp(`the replay's state at position ${at}`));
  await debug.replayBanner.waitFor({ state: 'hidden' });
  // The machine runs on from there: notes goes on from its loop and prints its last line again.
  const deadlineLog = Date.now() + MACHINE_DEADLINE_MS;
  while (notesEnded() < linesBefore + 1) {
    assert.ok(Date.now() < deadlineLog, `notes printing its last line again (${notesEnded()} times)`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.equal(await new MachineBarPage(page).state.textContent(), 'running');
  const deadline = Date.now() + MACHINE_DEADLINE_MS;
  while ((await branches()) <= before) {
    assert.ok(Date.now() < deadline, `a new branch on the timeline (had ${before})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.equal(await page.locator('.notification.error').count(), 0);
  await page.screenshot({ path: join(artifactsDir, 'replay-continued.png') });
});

step('a machine whose store disk is gone cannot be replayed: it says why, and nothing is lost', async () => {
  const bar = new MachineBarPage(page);
  await bar.createMachine('gone', 'notes');
  const timeline = new TimelinePage(page);
  const at = await timeline.hoverGeneration(0, /Generation 0\b/);
  assert.ok(existsSync(diskOf('gone')));
  rmSync(diskOf('gone'));
  await page.mouse.click(at.x, at.y, { button: 'right' });
  await page.getByTestId('timeline-menu-replay').click();
  await page
    .locator('.notification.error', { hasText: /Cannot replay generation 0 of gone/ })
    .filter({ hasText: /cannot replay generation 0 of 'gone'/ })
    .waitFor({ timeout: 60_000 });
  assert.ok(!(await debug.replayBanner.isVisible()), 'no replay opened');
  assert.match((await debug.status.textContent()) ?? '', /^Not debugging/);
  assert.equal(await debug.glyphs().count(), 1, 'the breakpoint stays');
  assert.deepEqual(pageErrors, []);
});
