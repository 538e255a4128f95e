/**
 * The debugger journey in the browser: a breakpoint set by a click in the gutter of counter.ph
 * (kept across a reload of the studio), F5 boots the machine and attaches the studio's debugger
 * (the adapter `phantom dap` serves), the counter stops at the breakpoint with the line marked,
 * the count read in the variables and in a watch, F10 steps over `count++` and the count goes up,
 * the frame's `this` opens in the inspector's panes, F5 continues (and stops again on the next
 * tick), the breakpoint is removed by a second click, F5 lets the counter run on, Shift+F5 leaves.
 * Then, from the gutter's menu: a condition the kernel cannot evaluate (unverified, the reason on
 * hover) and a logpoint (its lines in the debugger's output); and a power cut while stopped.
 * A screenshot of the studio stopped at the breakpoint goes to artifacts/e2e/debugger-stopped.png.
 * Needs QEMU; skipped with the reason where it is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { artifactsDir, cspViolations, until as waitUntil } from './fixtures.js';
import { DebuggerPage } from './pages/debugger-page.js';
import { InspectorPage } from './pages/inspector-page.js';
import { ConsolePage, EditorPage, MACHINE_DEADLINE_MS, MachineBarPage } from './pages/panels.js';
import { StudioPage } from './pages/studio-page.js';
import { openStudioSession, type StudioSession } from './studio-session.js';

const qemu = spawnSync('qemu-system-i386', ['--version'], { encoding: 'utf8' });
const problem = qemu.status === 0 ? undefined : 'qemu-system-i386 is not installed';
if (problem) console.log(`# debugger journey skipped: ${problem}`);

/** counter.ph's `count++;`, in tick(). */
const COUNT_LINE = 23;

let session: StudioSession | undefined;
let page: Page;
let pageErrors: string[] = [];

before(async () => {
  if (problem) return;
  session = await openStudioSession({ viewport: { width: 1400, height: 860 } });
  ({ page, pageErrors } = session);
});

after(() => session?.close());

/**
 * A step of the journey that, when it fails, leaves a screenshot and a report (the debugger's
 * status and output, the notifications, the host's output) in artifacts/e2e/failed-debugger-*.
 */
function step(name: string, body: () => Promise<void>): void {
  test(name, { skip: problem }, async () => {
    try {
      await body();
    } catch (err) {
      await new DebuggerPage(page).reportFailure(
        'failed-debugger',
        name,
        err,
        session?.studio.output() ?? '',
      );
      throw err;
    }
  });
}

const debug = (): DebuggerPage => new DebuggerPage(page);
const glyphs = (): Locator => debug().glyphs();
const showLine = (line: number): Promise<Locator> => debug().showLine(line);
const clickGutter = (line: number): Promise<void> => debug().clickGutter(line);
const variable = (...path: string[]): Locator => debug().variable(...path);

/** Opens `this` under Arguments (the scope opens by itself) and reads its count. */
async function countInVariables(): Promise<number> {
  const self = page.getByTestId('debug-variables').locator('li[data-name="Arguments"] li[data-name="this"]');
  await self.waitFor({ timeout: 60_000 });
  if ((await self.getAttribute('aria-expanded')) !== 'true')
    await self.locator(':scope > .debug-row .debug-twisty').click();
  const count = variable('Arguments', 'this', 'count');
  await count.waitFor({ timeout: 60_000 });
  return Number(await count.textContent());
}

const stoppedAt = (reason: string): Promise<void> => debug().stoppedAt(reason);
const currentLine = (): Promise<number> => debug().currentLine();

step('a breakpoint set in the gutter is kept across a reload', async () => {
  const bar = new MachineBarPage(page);
  await bar.createMachine('demo', 'counter');
  const editor = new EditorPage(page);
  await editor.open('examples/counter.ph');
  await clickGutter(COUNT_LINE);
  await glyphs().first().waitFor();
  assert.equal(await glyphs().count(), 1);
  await new StudioPage(page).open(page.url());
  await editor.open('examples/counter.ph');
  await showLine(COUNT_LINE);
  await glyphs().first().waitFor();
  assert.equal(await glyphs().count(), 1, 'the breakpoint came back with the page');
});

step(
  'F5 boots the machine, attaches and stops at the breakpoint with the count in the variables',
  async () => {
    await page.locator('[data-panel="editor"] .monaco-editor .view-lines').click();
    await page.keyboard.press('F5');
    await new MachineBarPage(page).waitForState('running');
    await stoppedAt('breakpoint');
    await page.locator('[data-panel="editor"] .breakpoint-verified').waitFor({ timeout: 60_000 });
    assert.equal(await currentLine(), COUNT_LINE);
    const top = page.getByTestId('debug-frame').first();
    assert.match((await top.textContent()) ?? '', /\.demo\.counter\.tick.*counter\.ph:23/);
    assert.equal(await top.getAttribute('aria-current'), 'true');
    const count = await countInVariables();
    assert.ok(Number.isInteger(count) && count >= 0, `count ${count}`);
    await page.getByTestId('debug-watch-input').fill('this.count');
    await page.getByTestId('debug-watch-input').press('Enter');
    await page
      .getByTestId('debug-watch')
      .locator('[data-testid="debug-variable-value"]')
      .filter({ hasText: new RegExp(`^${count}$`) })
      .waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(artifactsDir, 'debugger-stopped.png') });
  },
);

step('F10 steps over count++ and the count goes up, in the variables and the watch', async () => {
  const before = await countInVariables();
  await page.keyboard.press('F10');
  await stoppedAt('step');
  assert.equal(await currentLine(), COUNT_LINE + 1);
  await until(async () => (await countInVariables()) === before + 1, `the count to be ${before + 1}`);
  await page
    .getByTestId('debug-watch')
    .locator('[data-testid="debug-variable-value"]')
    .filter({ hasText: new RegExp(`^${before + 1}$`) })
    .waitFor({ timeout: 60_000 });
  await page.screenshot({ path: join(artifactsDir, 'debugger-stepped.png') });
});

step('the variables tree is walked with the keys: one tab stop, arrows open, close and move', async () => {
  const tree = page.getByTestId('debug-variables');
  const focused = () =>
    page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.name ?? '(not an item)');
  const self = tree.locator('li[data-name="Arguments"] li[data-name="this"]');
  await countInVariables(); // `this` is open
  await tree.focus();
  assert.equal(await focused(), 'Arguments', 'focus entering the tree lands on its first item');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'this');
  await page.keyboard.press('ArrowRight');
  assert.equal(
    await focused(),
    'count',
    "Right on an open item goes to its first child (the counter's field)",
  );
  await page.keyboard.press('ArrowLeft');
  assert.equal(await focused(), 'this', 'Left on a leaf goes to its parent');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await self.getAttribute('aria-expanded'), 'false', 'Left on an open item closes it');
  await page.keyboard.press('End');
  const last = await focused();
  assert.notEqual(last, 'count', "a closed item's children are skipped");
  await page.keyboard.press('Home');
  assert.equal(await focused(), 'Arguments');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await variable('Arguments', 'this', 'count').waitFor({ timeout: 60_000 });
  assert.equal(await self.getAttribute('aria-expanded'), 'true', 'Enter opens it again');
  // One tab stop: the tree's items but the focused one are out of the tab order.
  assert.equal(await tree.locator('[role="treeitem"][tabindex="0"]').count(), 1);
  await page.screenshot({ path: join(artifactsDir, 'debugger-variables-keys.png') });
});

step("the stopped frame's object opens in the inspector's panes", async () => {
  const self = page.getByTestId('debug-variables').locator('li[data-name="Arguments"] li[data-name="this"]');
  await self.locator(':scope > .debug-row [data-testid="debug-inspect"]').click();
  const inspector = new InspectorPage(page);
  const pane = inspector.panes.last();
  await pane.locator('tr[data-key="count"]').waitFor({ timeout: MACHINE_DEADLINE_MS });
  const count = Number(await pane.locator('tr[data-key="count"] .ph-int').textContent());
  assert.equal(count, await countInVariables(), 'the pane shows the object the frame holds');
});

step(
  'F5 continues (the next tick stops there again); a second click removes the breakpoint and the counter runs on',
  async () => {
    const before = await countInVariables();
    await page.locator('[data-panel="editor"] .monaco-editor .view-lines').click();
    await page.keyboard.press('F5');
    // The tick it was in prints the count; the next one stops there before adding to it.
    await stoppedAt('breakpoint');
    const console = new ConsolePage(page);
    await console.waitForText(new RegExp(`tick ${before}\\b`));
    assert.equal(await currentLine(), COUNT_LINE);
    assert.equal(await countInVariables(), before);
    await clickGutter(COUNT_LINE);
    await glyphs().first().waitFor({ state: 'detached' });
    await page.keyboard.press('F5');
    await page
      .getByTestId('debug-status')
      .filter({ hasText: /running/ })
      .waitFor({ timeout: 60_000 });
    await until(async () => (await lastTick()) > before + 2, 'the counter to run on');
    assert.equal(await page.locator('[data-panel="editor"] .debug-current-glyph').count(), 0);
    await page.keyboard.press('Shift+F5');
    await page
      .getByTestId('debug-status')
      .filter({ hasText: /^Not debugging/ })
      .waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('.notification.error').count(), 0);
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(await cspViolations(page), []);
  },
);

/** Right-clicks the glyph margin beside `line` and picks `item` from the breakpoint menu. */
async function gutterMenu(line: number, item: string): Promise<void> {
  const box = await (await showLine(line)).boundingBox();
  const margin = await page.locator('[data-panel="editor"] .monaco-editor .glyph-margin').boundingBox();
  assert.ok(box && margin);
  await page.mouse.click(margin.x + margin.width / 2, box.y + box.height / 2, { button: 'right' });
  await page.getByTestId('breakpoint-menu').getByRole('menuitem', { name: item }).click();
}

step('a condition the kernel cannot evaluate is unverified with the reason; a logpoint prints', async () => {
  await page.locator('[data-panel="editor"] .monaco-editor .view-lines').click();
  await page.keyboard.press('F5');
  await page
    .getByTestId('debug-status')
    .filter({ hasText: /^Debugging demo/ })
    .waitFor({ timeout: 60_000 });
  // count is a field, not a local: the kernel's conditions read locals.
  await gutterMenu(COUNT_LINE, 'Add conditional breakpoint…');
  await page.getByTestId('breakpoint-text').fill('count == 5');
  await page.getByTestId('breakpoint-ok').click();
  const unverified = page.locator('[data-panel="editor"] .breakpoint-unverified');
  await unverified.waitFor({ timeout: 60_000 });
  await unverified.hover();
  await page
    .locator('.monaco-hover:not(.hidden)')
    .filter({ hasText: /not set in the machine.*no local 'count'/ })
    .waitFor({ timeout: 30_000 });
  await gutterMenu(COUNT_LINE, 'Remove breakpoint');
  await glyphs().first().waitFor({ state: 'detached' });
  await gutterMenu(COUNT_LINE + 1, 'Add logpoint…');
  await page.getByTestId('breakpoint-text').fill('a tick went by');
  await page.getByTestId('breakpoint-ok').click();
  await page
    .locator('[data-panel="editor"] .breakpoint-log.breakpoint-verified')
    .waitFor({ timeout: 60_000 });
  await page.getByTestId('debug-output').filter({ hasText: 'a tick went by' }).waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('debug-frame').count(), 0, 'a logpoint does not stop');
  await gutterMenu(COUNT_LINE + 1, 'Remove breakpoint');
  await glyphs().first().waitFor({ state: 'detached' });
  await page.keyboard.press('Shift+F5');
  await page
    .getByTestId('debug-status')
    .filter({ hasText: /^Not debugging/ })
    .waitFor({ timeout: 60_000 });
});

step(
  'a power cut while stopped at a breakpoint: the studio attaches again and shows it still stopped there',
  async () => {
    const bar = new MachineBarPage(page);
    await page.locator('[data-panel="editor"] .monaco-editor .view-lines').click();
    await page.keyboard.press('F5');
    await page
      .getByTestId('debug-status')
      .filter({ hasText: /^Debugging demo/ })
      .waitFor({ timeout: 60_000 });
    await clickGutter(COUNT_LINE);
    await stoppedAt('breakpoint');
    const count = await countInVariables();
    // A generation commits the stop (with the breakpoint) before the plug is pulled.
    await bar.button('snapshotNow').click();
    await page
      .locator('.notification', { hasText: 'Snapshot taken' })
      .waitFor({ timeout: MACHINE_DEADLINE_MS });
    await bar.powerCut();
    await bar.waitForState('stopped', 'crashed');
    await page
      .getByTestId('debug-status')
      .filter({ hasText: /attaches again when it runs/ })
      .waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('debug-frame').count(), 0, 'no frames while the machine is off');
    await bar.button('start').click();
    await bar.waitForState('running');
    await stoppedAt('breakpoint');
    assert.equal(await currentLine(), COUNT_LINE);
    assert.equal(await countInVariables(), count, 'the same stop: the count it had when the power went');
    // The breakpoint the machine kept through the power cut is taken over by the new session.
    await page.locator('[data-panel="editor"] .breakpoint-verified').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(artifactsDir, 'debugger-after-power-cut.png') });
    for (const close of await page.locator('.notification .close').all()) await close.click();
    await clickGutter(COUNT_LINE);
    await glyphs().first().waitFor({ state: 'detached' });
    await page.keyboard.press('Shift+F5');
    await page
      .getByTestId('debug-status')
      .filter({ hasText: /^Not debugging/ })
      .waitFor({ timeout: 60_000 });
    // Leaving lets the held thread go, and no breakpoint is left behind to stop it again.
    await until(async () => (await lastTick()) > count + 2, 'the counter to run on');
    assert.equal(await page.locator('.notification.error').count(), 0);
  },
);

/** The count of the last tick the console shows (ten a second scroll the earlier ones away). */
async function lastTick(): Promise<number> {
  const rows = await new ConsolePage(page).visibleRows().locator(':scope > div').allTextContents();
  const ticks = rows.map((row) => /tick (\d+)/.exec(row)?.[1]).filter((n) => n !== undefined);
  return Number(ticks.at(-1) ?? -1);
}

function until(
  condition: () => Promise<boolean>,
  what: string,
  deadlineMs = MACHINE_DEADLINE_MS,
): Promise<void> {
  return waitUntil(condition, what, deadlineMs, 250);
}
