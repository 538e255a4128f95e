/**
 * The machine journey in the browser: create a machine for the counter example, boot it in
 * QEMU, watch its console, take a checkpoint, see generations and the checkpoint on the
 * timeline, roll back to an earlier generation behind the confirmation, see the abandoned
 * branch, cut the power and start again. Needs QEMU; skipped with the reason where it is
 * missing. Screenshots of each step go to artifacts/e2e/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifactsDir, launchChromium, type RunningStudio, startStudio } from './fixtures.js';
import { InspectorPage } from './pages/inspector-page.js';
import {
  ConsolePage,
  EditorPage,
  MACHINE_DEADLINE_MS,
  MachineBarPage,
  TimelinePage,
} from './pages/panels.js';
import { StudioPage } from './pages/studio-page.js';

const qemu = spawnSync('qemu-system-i386', ['--version'], { encoding: 'utf8' });
const problem = qemu.status === 0 ? undefined : 'qemu-system-i386 is not installed';
if (problem) console.log(`# machine journey skipped: ${problem}`);

let studio: RunningStudio;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  if (problem) return;
  studio = await startStudio();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await new StudioPage(page).open(studio.urlWithToken);
});

after(async () => {
  if (page) {
    // Leave no QEMU behind, whatever state the journey stopped in.
    const bar = new MachineBarPage(page);
    if (
      await bar
        .button('powerCut')
        .isEnabled()
        .catch(() => false)
    ) {
      await bar.button('powerCut').click();
      await bar.waitForState('stopped', 'crashed').catch(() => undefined);
    }
  }
  await browser?.close();
  await studio?.stop();
});

/** The number at the start of the timeline's summary ("12 generations · ..."). */
async function generationCount(timeline: TimelinePage): Promise<number> {
  return Number(
    ((await timeline.summary.textContent()) ?? '').match(/^([\d,]+) generations/)?.[1]?.replace(/,/g, '') ??
      0,
  );
}

async function until(condition: () => Promise<boolean>, what: string, deadlineMs = MACHINE_DEADLINE_MS) {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('create, boot and watch the counter in the console', { skip: problem }, async () => {
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

test('after a reload the console re-attaches with its scroll-back', { skip: problem }, async () => {
  const console = new ConsolePage(page);
  await new StudioPage(page).open(page.url());
  await console.tab(/Console — demo/).waitFor({ timeout: MACHINE_DEADLINE_MS });
  await console.waitForText(/tick \d+/);
  // The boot banner was printed once, long before this page existed: only the scroll-back has it.
  await console.search.fill('Phantom kernel (i386');
  await console.search.press('Enter');
  await console.waitForText('Phantom kernel (i386', 30_000);
  await page.screenshot({ path: join(artifactsDir, 'console-reattached.png') });
});

test('a checkpoint and the generations show on the timeline', { skip: problem }, async () => {
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

test('the inspector reads the running counter now, and a generation chosen on the timeline', {
  skip: problem,
}, async () => {
  const inspector = new InspectorPage(page);
  const timeline = new TimelinePage(page);
  await page.getByTestId('inspector-now').click();
  await inspector.status
    .filter({ hasText: /Now \(after generation \d+\): [\d,]+ objects/ })
    .waitFor({ timeout: MACHINE_DEADLINE_MS });
  assert.equal(await inspector.count('.demo.counter'), 1);
  await page.getByTestId('inspector-expand').click();
  await inspector.summaryRow('.demo.counter').click();
  await inspector.panes.first().locator('button.ph-ref').first().click();
  const counter = inspector.panes.nth(1);
  await counter.locator('th', { hasText: 'count' }).waitFor();
  assert.ok(Number(await counter.locator('tr', { hasText: 'count' }).locator('.ph-int').textContent()) > 0);
  await page.screenshot({ path: join(artifactsDir, 'inspector-live.png') });
  const { x, y } = await timeline.hoverGeneration(0.2);
  const target = Number(((await timeline.tooltip.textContent()) ?? '').match(/Generation (\d+)/)?.[1]);
  await page.mouse.click(x, y);
  await inspector.status
    .filter({ hasText: `Generation ${target}:` })
    .waitFor({ timeout: MACHINE_DEADLINE_MS });
  await page.screenshot({ path: join(artifactsDir, 'inspector-generation.png') });
  await page.getByTestId('inspector-expand').click();
  assert.equal(await page.locator('.notification.error').count(), 0);
});

test("install into machine: the editor's file replaces the running program's class live", {
  skip: problem,
}, async () => {
  const editor = new EditorPage(page);
  await editor.open('examples/counter.ph');
  await page.getByTestId('editor-install').click();
  await editor.status
    .filter({ hasText: 'Installed .demo.counter into demo' })
    .waitFor({ timeout: MACHINE_DEADLINE_MS });
  await new ConsolePage(page).waitForText(/tick \d+/);
  assert.equal(await page.locator('.notification.error').count(), 0);
  await page.screenshot({ path: join(artifactsDir, 'editor-installed.png') });
});

test('roll back to an earlier generation: the old branch stays on the timeline', {
  skip: problem,
}, async () => {
  const bar = new MachineBarPage(page);
  const timeline = new TimelinePage(page);
  const { x, y } = await timeline.hoverGeneration(0.4);
  const target = Number(((await timeline.tooltip.textContent()) ?? '').match(/Generation (\d+)/)?.[1]);
  await page.mouse.click(x, y);
  assert.match((await timeline.selection.textContent()) ?? '', new RegExp(`generation ${target}`));
  await timeline.rollback.click();
  await timeline.dialog.waitFor();
  const confirmation = (await timeline.dialog.textContent()) ?? '';
  assert.match(confirmation, new RegExp(`restarts from generation ${target}`));
  assert.match(confirmation, /kept/);
  await page.screenshot({ path: join(artifactsDir, 'rollback-confirm.png') });
  await page.getByTestId('rollback-confirm').click();
  await bar.waitForState('running');
  await timeline.summary.filter({ hasText: /2 branches/ }).waitFor({ timeout: MACHINE_DEADLINE_MS });
  await new ConsolePage(page).waitForText(/tick \d+/);
  await page.screenshot({ path: join(artifactsDir, 'timeline-branches.png') });
});

test('a power cut, then start again: the machine resumes', { skip: problem }, async () => {
  const bar = new MachineBarPage(page);
  const timeline = new TimelinePage(page);
  await bar.button('powerCut').click();
  await bar.waitForState('stopped', 'crashed');
  const before = await generationCount(timeline);
  await bar.button('start').click();
  await bar.waitForState('running');
  await new ConsolePage(page).waitForText(/tick \d+/);
  await until(async () => (await generationCount(timeline)) > before, 'new generations after the restart');
  await page.screenshot({ path: join(artifactsDir, 'resumed.png') });
  assert.deepEqual(pageErrors, []);
});
