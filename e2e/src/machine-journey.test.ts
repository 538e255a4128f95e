/**
 * The machine journey in the browser: create a machine for the counter example, boot it in
 * QEMU, watch its console, take a checkpoint, see generations and the checkpoint on the
 * timeline, open the counter in the inspector and watch its count go up as the inspector follows
 * the machine (and read it "now", pausing it), edit the counter in the editor and install it into the running machine (the
 * console changes from the next tick), install and run the notes program, edit it and run it
 * again (new notes, in the new words, follow the old ones), ask "when did this change?" of the
 * counter's count and the notes' count (the studio and the CLI), roll back to the checkpoint
 * behind the confirmation (the old counter prints again, the notes are gone, the abandoned branch
 * stays on the timeline), roll back to a generation, cut the power and start again. Needs QEMU; skipped with the reason where it is missing.
 * Screenshots of each step go to artifacts/e2e/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { artifactsDir, cspViolations, type RunningStudio, repoRoot, until as waitUntil } from './fixtures.js';
import { InspectorPage } from './pages/inspector-page.js';
import {
  ConsolePage,
  EditorPage,
  MACHINE_DEADLINE_MS,
  MachineBarPage,
  TimelinePage,
} from './pages/panels.js';
import { StudioPage } from './pages/studio-page.js';
import { openStudioSession, type StudioSession } from './studio-session.js';

const qemu = spawnSync('qemu-system-i386', ['--version'], { encoding: 'utf8' });
const problem = qemu.status === 0 ? undefined : 'qemu-system-i386 is not installed';
if (problem) console.log(`# machine journey skipped: ${problem}`);

const counterPath = join(repoRoot, 'lang/examples/counter.ph');
const counterSource = readFileSync(counterPath, 'utf8');
const notesPath = join(repoRoot, 'lang/examples/notes.ph');
const notesSource = readFileSync(notesPath, 'utf8');

let session: StudioSession | undefined;
let studio: RunningStudio;
let page: Page;
let pageErrors: string[] = [];

before(async () => {
  if (problem) return;
  session = await openStudioSession({ viewport: { width: 1400, height: 860 } });
  ({ studio, page, pageErrors } = session);
});

// Leaves no QEMU behind, whatever state the journey stopped in.
after(() => session?.close());

/** The number at the start of the timeline's summary ("12 generations · ..."). */
async function generationCount(timeline: TimelinePage): Promise<number> {
  return Number(
    ((await timeline.summary.textContent()) ?? '')
      .match(/^([\d,]+) generations?\b/)?.[1]
      ?.replace(/,/g, '') ?? 0,
  );
}

/**
 * The last line the machine printed, as the console shows it (xterm.js's drawn rows), after
 * scrolling the console to its end: a search (as the re-attach step does) leaves it scrolled up.
 */
async function lastConsoleLine(): Promise<string> {
  const console = new ConsolePage(page);
  await console.scrollToEnd();
  const texts = await console.visibleRows().locator(':scope > div').allTextContents();
  return (
    texts
      .map((row) => row.trim())
      .filter((row) => row !== '')
      .at(-1) ?? ''
  );
}

/**
 * Double-clicks `word` inside the string on the editor line matching `line` and types
 * `replacement` over it; the buffer is not saved. The pointer, not keyboard navigation: a
 * shortcut's box (Ctrl+G) may open late under load and take the keys typed for it.
 */
async function retypeWordInString(editor: EditorPage, line: RegExp, word: string, replacement: string) {
  const token = editor.root
    .locator('.view-line', { hasText: line })
    .locator('span > span', { hasText: word });
  // Monaco draws only the lines in view: scroll until the line is drawn.
  await editor.root.locator('.monaco-editor .view-lines').hover();
  for (let turns = 0; turns < 20 && !(await token.count()); turns++) await page.mouse.wheel(0, 120);
  const tokenText = (await token.textContent()) ?? '';
  const box = await token.boundingBox();
  assert.ok(box, `the token ${tokenText} is drawn`);
  const charWidth = box.width / tokenText.length;
  await page.mouse.dblclick(
    box.x + charWidth * (tokenText.indexOf(word) + word.length / 2),
    box.y + box.height / 2,
  );
  await page.keyboard.type(replacement);
}

/**
 * Finds `text` in the console's scroll-back with its search box, as a user would, then empties
 * the box: while a search is on, xterm.js searches the whole scroll-back again after each write
 * to keep its highlights, which under load kept the page too busy to answer for 30 s.
 */
async function findInConsole(text: string, whileShown?: () => Promise<void>): Promise<void> {
  const console = new ConsolePage(page);
  await until(async () => {
    await console.search.fill(text);
    await console.search.press('Enter');
    return (await console.visibleRows().filter({ hasText: text }).count()) > 0;
  }, `'${text}' in the console`);
  await whileShown?.();
  await console.search.fill('');
}

/** The number of branches in the timeline's summary ("... · 2 branches"). */
async function branchCount(timeline: TimelinePage): Promise<number> {
  return Number(((await timeline.summary.textContent()) ?? '').match(/(\d+) branch(?:es)?$/)?.[1] ?? 0);
}

/** The last `lines` lines of a file, or a note that it is not there. */
function tail(path: string, lines = 40): string {
  if (!existsSync(path)) return `(no ${path})`;
  return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
}

/**
 * A journey step that starts with no notification on screen and, when it fails, leaves what is
 * needed to tell why: a screenshot of the page, and a report (artifacts/e2e/failed-<step>.txt,
 * whose path the error names) with the machine bar's state, every notification with its
 * details, the studio host's output and the tails of the machine's console and QEMU logs. The
 * state folder is gone once the test ends.
 */
function journeyStep(name: string, step: () => Promise<void>): void {
  test(name, { skip: problem }, async () => {
    // Each step checks for the notifications it causes: an earlier step's (already in that
    // step's report) are dismissed, as a user would, so one failure does not fail every step after.
    for (const close of await page.locator('.notification .close').all()) await close.click();
    try {
      await step();
    } catch (err) {
      const slug = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await page.screenshot({ path: join(artifactsDir, `failed-${slug}.png`) }).catch(() => undefined);
      const state = await page
        .getByTestId('machine-state')
        .getAttribute('data-state', { timeout: 1000 })
        .catch(() => 'unknown');
      const notes = await page
        .locator('.notification')
        // Each part on a line of its own, the folded details too.
        .evaluateAll((all) => all.map((n) => [...n.children].map((part) => part.textContent).join('\n')))
        .catch(() => []);
      const machineDir = join(studio.stateDir, 'machines', 'demo');
      const report = join(artifactsDir, `failed-${slug}.txt`);
      writeFileSync(
        report,
        [
          `step: ${name}`,
          `error: ${(err as Error).stack ?? String(err)}`,
          `machine state: ${state}`,
          `notifications (${notes.length}):`,
          ...notes.map((n) => `--\n${n}`),
          '== studio host output ==',
          studio.output().split('\n').slice(-60).join('\n'),
          '== console.log ==',
          tail(join(machineDir, 'logs', 'console.log')),
          '== hypervisor.log ==',
          tail(join(machineDir, 'logs', 'hypervisor.log')),
        ].join('\n'),
      );
      throw new Error(
        `${(err as Error).message}\n(machine ${state}; ${notes.length} notification(s); report: ${report})`,
        { cause: err },
      );
    }
  });
}

function until(
  condition: () => Promise<boolean>,
  what: string,
  deadlineMs = MACHINE_DEADLINE_MS,
): Promise<void> {
  return waitUntil(condition, what, deadlineMs, 250);
}

journeyStep('create, boot and watch the counter in the console', async () => {
  const bar = new MachineBarPage(page);
  await bar.createMachine('demo', 'counter');
  assert.match((await bar.picker.locator('option:checked').textContent()) ?? '', /demo — counter/);
  await bar.button('start').click();
  await bar.waitForState('running');
  const console = new ConsolePage(page);
  await console.tab(/Console — demo/).waitFor();
  await console.waitForText(/tick \d+/);
  await page.screenshot({ path: join(artifactsDir, 'machine-console.png') });
});

journeyStep('after a reload the console re-attaches with its scroll-back', async () => {
  const console = new ConsolePage(page);
  await new StudioPage(page).open(page.url());
  await console.tab(/Console — demo/).waitFor({ timeout: MACHINE_DEADLINE_MS });
  await console.waitForText(/tick \d+/);
  // The boot banner was printed once, long before this page existed: only the scroll-back has it.
  // Searched again until shown: under load one search could run before the scroll-back was drawn.
  await findInConsole('Phantom kernel (i386', () =>
    page.screenshot({ path: join(artifactsDir, 'console-reattached.png') }).then(() => undefined),
  );
});

journeyStep('a checkpoint and the generations show on the timeline', async () => {
  const bar = new MachineBarPage(page);
  const timeline = new TimelinePage(page);
  await until(async () => (await generationCount(timeline)) >= 4, 'a few generations on the timeline');
  const beforeSnapshot = await generationCount(timeline);
  await bar.button('snapshotNow').click();
  await until(async () => (await generationCount(timeline)) > beforeSnapshot, 'the generation asked for');
  assert.equal(await page.locator('.notification.error').count(), 0);
  await bar.checkpoint('before');
  await timeline.summary.filter({ hasText: /1 checkpoints?/ }).waitFor({ timeout: MACHINE_DEADLINE_MS });
  await timeline.hoverGeneration(0.3);
  assert.match((await timeline.tooltip.textContent()) ?? '', /Generation \d+/);
  await page.screenshot({ path: join(artifactsDir, 'timeline-hover.png') });
});

/** The count field's value in the counter's object pane. */
async function paneCount(counter: Locator): Promise<number> {
  return Number(await counter.locator('tr[data-key="count"]').locator('.ph-int').textContent());
}

journeyStep(
  "the inspector follows the machine: the counter's pane shows its count going up without a click",
  async () => {
    const inspector = new InspectorPage(page);
    const follow = page.getByTestId('inspector-follow');
    assert.equal(await follow.getAttribute('aria-pressed'), 'true', 'following is the default');
    await inspector.status
      .filter({ hasText: /Generation \d+ \(following\): [\d,]+ objects/ })
      .waitFor({ timeout: MACHINE_DEADLINE_MS });
    await page.getByTestId('inspector-expand').click();
    await inspector.summaryRow('.demo.counter').click();
    await inspector.panes.first().locator('button.ph-ref').first().click();
    const counter = inspector.panes.nth(1);
    await counter.locator('tr[data-key="count"]').waitFor();
    const first = await paneCount(counter);
    const counterRef = await counter.getAttribute('data-ref');
    const firstGeneration = Number((await inspector.status.textContent())?.match(/Generation (\d+)/)?.[1]);
    await page.screenshot({ path: join(artifactsDir, 'inspector-follow-1.png') });
    // No clicks from here: the machine commits generations and the pane shows the new count.
    await until(async () => (await paneCount(counter)) > first, 'the count to go up in the open pane');
    assert.equal(await counter.getAttribute('data-ref'), counterRef, 'the pane shows the same object');
    assert.equal(await inspector.panes.count(), 2, 'the same panes stay open');
    // The status line is drawn after the panes: wait for it too, rather than read it once.
    const shownGeneration = async () =>
      Number((await inspector.status.textContent())?.match(/Generation (\d+)/)?.[1]);
    await until(
      async () => (await shownGeneration()) > firstGeneration,
      `the status to name a generation after ${firstGeneration}`,
    );
    await counter.locator('tr.ph-updated[data-key="count"]').waitFor();
    await page.screenshot({ path: join(artifactsDir, 'inspector-follow-2.png') });
    await page.getByTestId('inspector-expand').click();
    assert.equal(await page.locator('.notification.error').count(), 0);
  },
);

journeyStep(
  'the inspector reads the running counter now, and a generation chosen on the timeline',
  async () => {
    const inspector = new InspectorPage(page);
    const timeline = new TimelinePage(page);
    const follow = page.getByTestId('inspector-follow');
    await page.getByTestId('inspector-now').click();
    assert.equal(await follow.getAttribute('aria-pressed'), 'false', 'now pins the view');
    await inspector.status
      .filter({ hasText: /Now \(after generation \d+\): [\d,]+ objects/ })
      .waitFor({ timeout: MACHINE_DEADLINE_MS });
    assert.equal(await inspector.count('.demo.counter'), 1);
    // Read over the virtio-serial debug port, not serial port 2: the channel broker says which
    // channel the kernel answered on.
    const brokerLog = readFileSync(
      join(studio.stateDir, 'machines', 'demo', 'logs', 'channel-broker.log'),
      'utf8',
    );
    assert.match(brokerLog, /the kernel answers on \S*debug-port\.sock/, brokerLog);
    await page.getByTestId('inspector-expand').click();
    await inspector.summaryRow('.demo.counter').click();
    await inspector.panes.first().locator('button.ph-ref').first().click();
    const counter = inspector.panes.nth(1);
    await counter.locator('th', { hasText: 'count' }).waitFor();
    assert.ok(Number(await counter.locator('tr', { hasText: 'count' }).locator('.ph-int').textContent()) > 0);
    await page.screenshot({ path: join(artifactsDir, 'inspector-live.png') });
    // One still on the store disk: retention thins what is over a minute old (at 10 ms, more),
    // and a generation it reclaimed says so instead of showing in the inspector.
    const { x, y } = await timeline.hoverGeneration(0.6, /kept: can be inspected/);
    const target = Number(((await timeline.tooltip.textContent()) ?? '').match(/Generation (\d+)/)?.[1]);
    await page.mouse.click(x, y);
    await inspector.status
      .filter({ hasText: `Generation ${target}:` })
      .waitFor({ timeout: MACHINE_DEADLINE_MS });
    // The timeline refreshes with every new generation; the chosen one stays in view, and so do
    // the panes opened on it.
    await inspector.summaryRow('.demo.counter').click();
    await inspector.panes.first().locator('button.ph-ref').first().click();
    await inspector.panes.nth(1).locator('th', { hasText: 'count' }).waitFor();
    const seen = await generationCount(timeline);
    await until(
      async () => (await generationCount(timeline)) >= seen + 2,
      'two more generations on the timeline',
    );
    assert.equal(await inspector.panes.count(), 2, 'the panes opened on the chosen generation stay open');
    assert.match((await inspector.status.textContent()) ?? '', new RegExp(`Generation ${target}:`));
    await page.screenshot({ path: join(artifactsDir, 'inspector-generation.png') });
    await page.getByTestId('inspector-expand').click();
    await follow.click();
    await inspector.status
      .filter({ hasText: /Generation \d+ \(following\)/ })
      .waitFor({ timeout: MACHINE_DEADLINE_MS });
    assert.equal(await page.locator('.notification.error').count(), 0);
  },
);

journeyStep(
  "install into machine: an edit in the editor changes the running counter's output from its next tick",
  async () => {
    const editor = new EditorPage(page);
    await editor.open('examples/counter.ph');
    await retypeWordInString(editor, /tty\.println\("tick\s/, 'tick', 'tock');
    await editor.root.locator('.view-line', { hasText: /tty\.println\("tock\s"\s\+\scount\);/ }).waitFor();
    await editor.tab('examples/counter.ph').and(page.locator('.dirty')).waitFor();
    await until(async () => /^tick \d+$/.test(await lastConsoleLine()), 'the counter ticking');
    const lastTick = Number((await lastConsoleLine()).match(/^tick (\d+)$/)?.[1]);
    await page.getByTestId('editor-install').click();
    // The status bar says "Installed ..." only until the cursor moves, so the console is the proof:
    // the running loop's next call to tick() runs the new code, and the count goes on.
    const refusal = page.locator('.notification.error');
    await until(
      async () => /^tock \d+$/.test(await lastConsoleLine()) || (await refusal.count()) > 0,
      'the edited text in the console',
    ).catch(async (err: Error) => {
      await page.screenshot({ path: join(artifactsDir, 'editor-installed-failed.png') });
      throw new Error(`${err.message}; the console's last line: '${await lastConsoleLine()}'`);
    });
    assert.equal(await refusal.count(), 0, (await refusal.allTextContents()).join('\n'));
    const firstTock = Number((await lastConsoleLine()).match(/^tock (\d+)$/)?.[1]);
    assert.ok(firstTock > lastTick, `the count goes on: tick ${lastTick}, then tock ${firstTock}`);
    await page.screenshot({ path: join(artifactsDir, 'editor-installed.png') });
    assert.equal(readFileSync(counterPath, 'utf8'), counterSource, 'installing did not save the file');
  },
);

journeyStep(
  'install and run: edit the notes program in the editor, install it, see new notes appear',
  async () => {
    const editor = new EditorPage(page);
    await editor.open('examples/notes.ph');
    await page.getByTestId('editor-install-run').click();
    await findInConsole('note 3 written at run 1');
    await retypeWordInString(editor, /list\.add\("note\s/, 'note', 'memo');
    await editor.root.locator('.view-line', { hasText: /list\.add\("memo\s"/ }).waitFor();
    await page.getByTestId('editor-install-run').click();
    // The list lives in the root directory: the second run adds three more, in the new words.
    await findInConsole('memo 6 written at run 2');
    await findInConsole('notes: 6');
    assert.equal(await page.locator('.notification.error').count(), 0);
    await page.screenshot({ path: join(artifactsDir, 'editor-install-and-run.png') });
    assert.equal(readFileSync(notesPath, 'utf8'), notesSource, 'installing did not save the file');
  },
);

/** `phantom inspect demo when …` with the studio's state, as a user runs it beside the studio. */
function whenCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, 'vm-manager/bin/phantom.mjs'), 'inspect', 'demo', 'when', ...args],
    { encoding: 'utf8', env: { ...process.env, PHANTOM_STATE_DIR: studio.stateDir }, timeout: 60_000 },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Opens the first instance of a class in a pane, clicks "When?" on `key`, and returns the pane
 * the answer left open (the object as of the later generation) and the answer's text.
 */
async function askWhen(inspector: InspectorPage, className: string, key: string) {
  await inspector.tab('summary').click();
  await inspector.summaryRow(className).click();
  await inspector.panes.first().locator('button.ph-ref').first().click();
  const ref = await inspector.panes.nth(1).getAttribute('data-ref');
  await inspector.panes.nth(1).locator(`tr[data-key="${key}"] [data-testid="inspector-when"]`).click();
  const answer = page.getByTestId('inspector-when-answer');
  await answer.waitFor({ timeout: MACHINE_DEADLINE_MS });
  return {
    pane: page.locator(`[data-testid="inspector-pane"][data-ref="${ref}"]`),
    text: (await answer.textContent()) ?? '',
  };
}

journeyStep(
  'when did this change? the counter and the notes, in the studio and the CLI, the machine running on',
  async () => {
    const timeline = new TimelinePage(page);
    try {
      const inspector = new InspectorPage(page);
      // The notes' second run is in a committed generation before asking about it.
      const committed = await generationCount(timeline);
      await until(async () => (await generationCount(timeline)) >= committed + 2, 'two more generations');
      await page.getByTestId('inspector-expand').click();

      const counter = await askWhen(inspector, '.demo.counter', 'count');
      const m = /count changed between generation (\d+) and (\d+): (\d+) → (\d+)/.exec(counter.text);
      assert.ok(m, counter.text);
      const [before, after] = [Number(m[1]), Number(m[2])];
      assert.ok(before < after && Number(m[4]) > Number(m[3]), counter.text);
      // The diff of the two generations is open, the later one shown, the field marked, the timeline on them.
      assert.equal(await inspector.tab('diff').getAttribute('aria-selected'), 'true');
      await inspector.status.filter({ hasText: new RegExp(`Generation ${after}\\b`) }).waitFor();
      await counter.pane.locator('tr.ph-when-marked[data-key="count"]').waitFor();
      await timeline.selection.filter({ hasText: /^A: .* · B: / }).waitFor();
      await page.screenshot({ path: join(artifactsDir, 'when-counter.png') });

      // The CLI gives the same kind of answer from the store disk while the machine runs.
      const ref = (await counter.pane.getAttribute('data-ref'))!;
      const cli = whenCli(ref, '.count', '--json');
      assert.equal(cli.status, 0, cli.stderr);
      const parsed = JSON.parse(cli.stdout) as {
        change: { before: number; after: number };
        reads: { pages: number };
      };
      assert.ok(parsed.change.after >= after && parsed.reads.pages > 0, cli.stdout);
      assert.equal(whenCli(ref, '.nothing').status, 1);

      // The notes: the list's count went from 3 to 6 with the second run.
      const notes = await askWhen(inspector, '.demo.noteList', 'count');
      assert.match(notes.text, /count changed between generation \d+ and \d+: 3 → 6/);
      await notes.pane.locator('tr.ph-when-marked[data-key="count"]').waitFor();
      await page.screenshot({ path: join(artifactsDir, 'when-notes.png') });
      const notesRef = (await notes.pane.getAttribute('data-ref'))!;
      const notesCli = whenCli(notesRef, '.count', '--equals', '6');
      assert.equal(notesCli.status, 0, notesCli.stderr);
      assert.match(notesCli.stdout, /changed between gen \d+ → gen \d+: 3 → 6/);
      await page.getByTestId('inspector-expand').click();
      assert.equal(await page.locator('.notification.error').count(), 0);
    } finally {
      // The answers brought the timeline to the changes: the whole history again, as it follows
      // new generations (the next steps look for them), whatever happened above.
      await page.getByTestId('timeline-fit').click();
    }
  },
);

journeyStep(
  'roll back to the checkpoint: the state from before the edits returns, the abandoned branch stays',
  async () => {
    const bar = new MachineBarPage(page);
    const timeline = new TimelinePage(page);
    const inspector = new InspectorPage(page);
    const branchesBefore = await branchCount(timeline);
    const { x, y } = await timeline.hoverCheckpoint('before');
    await page.mouse.click(x, y);
    assert.match((await timeline.selection.textContent()) ?? '', /checkpoint before/);
    await timeline.rollback.click();
    await timeline.dialog.waitFor();
    const confirmation = (await timeline.dialog.textContent()) ?? '';
    assert.match(confirmation, /returns to checkpoint "before"/);
    assert.match(confirmation, /present state is saved as a new checkpoint/);
    await page.screenshot({ path: join(artifactsDir, 'rollback-confirm.png') });
    await page.getByTestId('rollback-confirm').click();
    await bar.waitForState('running');
    // The checkpoint came before both installs: the counter says "tick" again, the notes are gone.
    await until(async () => /^tick \d+$/.test(await lastConsoleLine()), 'the counter from before the edits');
    await timeline.summary.filter({ hasText: /2 checkpoints/ }).waitFor({ timeout: MACHINE_DEADLINE_MS });
    await until(
      async () => (await branchCount(timeline)) > branchesBefore,
      'the abandoned branch on the timeline',
    );
    await page.getByTestId('inspector-now').click();
    await inspector.status
      .filter({ hasText: /Now \(after generation \d+\): [\d,]+ objects/ })
      .waitFor({ timeout: MACHINE_DEADLINE_MS });
    assert.equal(await inspector.count('.demo.counter'), 1);
    assert.equal(
      await inspector.summaryRow('.demo.noteList').count(),
      0,
      'the notes program installed after the checkpoint is gone',
    );
    assert.equal(await page.locator('.notification.error').count(), 0);
    await page.screenshot({ path: join(artifactsDir, 'timeline-branches.png') });
  },
);

journeyStep('roll back to a generation still on the store disk, behind the same confirmation', async () => {
  const bar = new MachineBarPage(page);
  const timeline = new TimelinePage(page);
  const branchesBefore = await branchCount(timeline);
  // On the branch the revert started (the second lane), a generation the disk still has.
  const { x, y } = await timeline.hoverGeneration(0.5, /kept: can be inspected and restored/, 1);
  const target = Number(((await timeline.tooltip.textContent()) ?? '').match(/Generation (\d+)/)?.[1]);
  await page.mouse.click(x, y);
  assert.match((await timeline.selection.textContent()) ?? '', new RegExp(`generation ${target}`));
  await timeline.rollback.click();
  await timeline.dialog.waitFor();
  const confirmation = (await timeline.dialog.textContent()) ?? '';
  assert.match(confirmation, new RegExp(`goes back to generation ${target}`));
  assert.match(confirmation, /kept/);
  await page.getByTestId('rollback-confirm').click();
  await bar.waitForState('running');
  // The running machine went back in place: its kernel mounted the generation, QEMU kept running.
  await new ConsolePage(page).waitForText(
    new RegExp(`store: rolled back in place from generation \\d+ to generation ${target}:`),
  );
  await until(async () => (await branchCount(timeline)) > branchesBefore, 'a new branch on the timeline');
  await until(async () => /^tick \d+$/.test(await lastConsoleLine()), 'the counter in the console');
  await page.screenshot({ path: join(artifactsDir, 'timeline-generation-rollback.png') });
});

journeyStep('a power cut, then start again: the machine resumes', async () => {
  const bar = new MachineBarPage(page);
  const timeline = new TimelinePage(page);
  await bar.powerCut();
  await bar.waitForState('stopped', 'crashed');
  const before = await generationCount(timeline);
  await bar.button('start').click();
  await bar.waitForState('running');
  await new ConsolePage(page).waitForText(/tick \d+/);
  await until(async () => (await generationCount(timeline)) > before, 'new generations after the restart');
  await page.screenshot({ path: join(artifactsDir, 'resumed.png') });
  assert.deepEqual(pageErrors, []);
  // The whole journey, with its reload, broke no rule of the Content-Security-Policy.
  assert.deepEqual(await cspViolations(page), []);
});
