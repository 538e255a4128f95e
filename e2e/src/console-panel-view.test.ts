/**
 * The console panel alone in Chromium (shell/src/renderer/console-panel-harness.ts), over an API
 * this test answers: the machine's log is a file here, each read of it answered from that file by
 * the host's own paging (shell/src/host/console-log.ts) in pages of a few lines, when and in the
 * order the test says. The real host answers in whatever order its reads finish, which the
 * journeys hit once in a few runs; here each order is made on purpose. Needs no machine.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readLogPage } from '@phantom/shell/host/console-log.js';
import type { Browser, Page } from 'playwright-core';
import { cspViolations, launchChromium, recordCspViolations, repoRoot, until } from './fixtures.js';
import { type HarnessServer, serveViewHarness } from './harness-server.js';
import { ConsolePage } from './pages/panels.js';
import { UI_DEADLINE_MS } from './pages/snapshot-manager-page.js';

const MACHINE = 'demo';
/** Lines a page holds here: a whole page fits the view, so what it shows can be read in full. */
const PAGE_LINES = 20;
/** The panel's own delays (console-panel.ts): the log's refresh, and the filter's pause. */
const LOG_REFRESH_MS = 1000;
const FILTER_DELAY_MS = 300;

/** What the page exposes (the harness's `window.consoleHarness`). */
interface WithHarness {
  consoleHarness: Harness;
}

interface Read {
  id: number;
  params: { machine: string; hide?: string; page?: number };
}

interface Harness {
  attach(machine: string): Promise<void>;
  setRunning(machine: string, on: boolean): void;
  print(machine: string, data: string): void;
  end(machine: string, reason: string): void;
  reads(): Read[];
  answer(id: number, page: unknown): void;
  fail(id: number, message: string): void;
  timersPending(delay: number): number;
  calls: { id: number; method: string; params: Record<string, unknown> }[];
}

let server: HarnessServer | undefined;
let url: string;
let browser: Browser;
let page: Page;
let consolePage: ConsolePage;
let dir: string;
let logFile: string;

before(async () => {
  server = await serveViewHarness({
    entry: join(repoRoot, 'shell/dist/renderer/console-panel-harness.js'),
    title: 'Console panel',
    body:
      '<section class="console" data-panel="console" aria-label="Console"></section>' +
      '<div class="notifications" data-panel="notifications"></div>',
    css: '.console { height: 100vh; }',
  });
  url = server.url;
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'phantom-console-panel-'));
  logFile = join(dir, 'console.log');
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Lines `from`..`to` of the machine's console, as it prints them. */
function lines(from: number, to: number, word = 'line'): string {
  let text = '';
  for (let n = from; n <= to; n++) text += `${word} ${n}\r\n`;
  return text;
}

/** A fresh page: `machine`'s console attached, its log on disk holding `log`. */
async function openWith(log: string): Promise<void> {
  await page?.close();
  writeFileSync(logFile, log.replaceAll('\r\n', '\n'));
  page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await recordCspViolations(page);
  await page.goto(url);
  await page.waitForFunction(() => 'consoleHarness' in window);
  await page.evaluate((m) => (window as unknown as WithHarness).consoleHarness.attach(m), MACHINE);
  consolePage = new ConsolePage(page);
  await consolePage.tab(`Console — ${MACHINE}`).waitFor({ timeout: UI_DEADLINE_MS });
}

/** The machine prints `text`: its live console shows it, and its log on disk keeps it. */
async function print(text: string): Promise<void> {
  appendFileSync(logFile, text.replaceAll('\r\n', '\n'));
  await page.evaluate(([m, t]) => (window as unknown as WithHarness).consoleHarness.print(m, t), [
    MACHINE,
    text,
  ] as const);
}

function pendingReads(): Promise<Read[]> {
  return page.evaluate(() => (window as unknown as WithHarness).consoleHarness.reads());
}

/** The reads waiting for an answer, oldest first, once there are at least `count`. */
async function waitForReads(count: number, ms = UI_DEADLINE_MS): Promise<Read[]> {
  let reads: Read[] = [];
  await until(
    async () => {
      reads = await pendingReads();
      return reads.length >= count;
    },
    `${count} read(s) of the log`,
    ms,
  );
  return reads;
}

/** Answers `read` from the log on disk as it is now, as the host would. */
async function answer(read: Read): Promise<void> {
  const { hide, page: wanted } = read.params;
  const result = await readLogPage(logFile, { hide, page: wanted }, PAGE_LINES);
  await page.evaluate(([id, r]) => (window as unknown as WithHarness).consoleHarness.answer(id, r), [
    read.id,
    result,
  ] as const);
}

async function fail(read: Read, message: string): Promise<void> {
  await page.evaluate(([id, m]) => (window as unknown as WithHarness).consoleHarness.fail(id, m), [
    read.id,
    message,
  ] as const);
}

/**
 * Lets the page take in what was sent so far: the answer's continuation, xterm.js's parse of what
 * it was given (a task later) and its drawing (an animation frame later).
 */
async function settled(): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
      ),
  );
}

/** The lines the log view draws, without the blank rows under them. */
async function logLines(): Promise<string[]> {
  const rows = await consolePage.logRows().locator(':scope > div').allTextContents();
  return rows.map((r) => r.trimEnd()).filter((r) => r !== '');
}

/** Opens the log view through the console's menu, and answers its first read (the last page). */
async function openLog(): Promise<void> {
  await consolePage.openMenu();
  await consolePage.menu.getByRole('menuitem', { name: /Show the machine's whole log/ }).click();
  const [first] = await waitForReads(1);
  assert.deepEqual(first!.params, { machine: MACHINE });
  await answer(first!);
  await consolePage.logStatus.filter({ hasText: / · page \d+ of \d+$/ }).waitFor({ timeout: UI_DEADLINE_MS });
}

function notifications(): Promise<string[]> {
  return page.locator('[data-panel="notifications"] .notification').allTextContents();
}

function calls(method: string): Promise<Record<string, unknown>[]> {
  return page.evaluate(
    (m) =>
      (window as unknown as WithHarness).consoleHarness.calls
        .filter((c) => c.method === m)
        .map((c) => c.params),
    method,
  );
}

/** Waits until the panel's timers of at least `delay` ms have all run (a refresh, a filter's pause). */
function timersRun(delay: number): Promise<void> {
  return until(
    async () =>
      (await page.evaluate(
        (d) => (window as unknown as WithHarness).consoleHarness.timersPending(d),
        delay,
      )) === 0,
    `the timers of ${delay} ms or more to run`,
    delay + UI_DEADLINE_MS,
  );
}

function lineList(from: number, to: number, word = 'line'): string[] {
  return lines(from, to, word).split('\r\n').slice(0, -1);
}

/**
 * The log on the last page with 55 lines (page 3 of 3), a refresh of it held, and "Earlier"
 * answered: page 2 shown. Returns the held refresh.
 */
async function refreshHeldThenEarlier(): Promise<Read> {
  await openWith(lines(1, 50));
  await openLog();
  assert.equal(await consolePage.logStatus.textContent(), 'Log on disk: lines 41–50 of 50 · page 3 of 3');
  // The machine prints while its last page is shown: the page is read again, and that read waits.
  await print(lines(51, 55));
  const [refresh] = await waitForReads(1, LOG_REFRESH_MS + UI_DEADLINE_MS);
  assert.deepEqual(refresh!.params, { machine: MACHINE });
  await consolePage.log.getByTestId('console-log-earlier').click();
  const [, earlier] = await waitForReads(2);
  assert.deepEqual(earlier!.params, { machine: MACHINE, page: 1 });
  await answer(earlier!);
  await consolePage.logStatus
    .filter({ hasText: /^Log on disk: lines 21–40 of 55 · page 2 of 3$/ })
    .waitFor({ timeout: UI_DEADLINE_MS });
  return refresh!;
}

test("a refresh of the last page answering after 'Earlier' does not bring the last page back", async () => {
  const refresh = await refreshHeldThenEarlier();
  await answer(refresh);
  await settled();
  assert.equal(await consolePage.logStatus.textContent(), 'Log on disk: lines 21–40 of 55 · page 2 of 3');
  assert.deepEqual(await logLines(), lineList(21, 40));
  assert.equal(await consolePage.log.getByTestId('console-log-later').isEnabled(), true);
  assert.deepEqual(await cspViolations(page), []);
});

test('a read that fails after a newer one was asked says nothing; the newest failing says so', async () => {
  const refresh = await refreshHeldThenEarlier();
  await fail(refresh, 'the log was being rotated');
  await settled();
  assert.deepEqual(await notifications(), [], 'no one asked for that page any more');
  assert.deepEqual(await logLines(), lineList(21, 40));
  await consolePage.log.getByTestId('console-log-earlier').click();
  const [first] = await waitForReads(1);
  assert.deepEqual(first!.params, { machine: MACHINE, page: 0 });
  await fail(first!, 'permission denied');
  const note = page.locator('[data-panel="notifications"] .notification');
  await note.waitFor({ timeout: UI_DEADLINE_MS });
  assert.match((await notifications()).join(' | '), /^Cannot read the log of demo.*permission denied/);
  assert.equal(await note.getAttribute('role'), 'alert');
});

test("'Hide lines containing' is sent with each read; a change reads again, once typing pauses", async () => {
  const log = Array.from({ length: 30 }, (_, i) => `line ${i + 1}\r\ntick ${i + 1}\r\n`).join('');
  await openWith(log);
  // Typing in the filter opens the log view at its last page, without the lines that contain it.
  await consolePage.filter.click();
  await page.keyboard.type('TICK');
  await timersRun(FILTER_DELAY_MS);
  const reads = await pendingReads();
  assert.deepEqual(
    reads.map((r) => r.params),
    [{ machine: MACHINE, hide: 'TICK' }],
    'one read, once the typing paused',
  );
  await answer(reads[0]!);
  await consolePage.logStatus
    .filter({ hasText: /^Log on disk: lines 21–30 of 30, 30 hidden \(containing “TICK”\) · page 2 of 2$/ })
    .waitFor({ timeout: UI_DEADLINE_MS });
  await settled();
  assert.deepEqual(await logLines(), lineList(21, 30));
  // Paging keeps the filter.
  await consolePage.log.getByTestId('console-log-earlier').click();
  const [earlier] = await waitForReads(1);
  assert.deepEqual(earlier!.params, { machine: MACHINE, hide: 'TICK', page: 0 });
  await answer(earlier!);
  await consolePage.logStatus.filter({ hasText: /lines 1–20 of 30, 30 hidden .* · page 1 of 2$/ }).waitFor();
  // Enter applies a change at once; Escape empties the box and reads the whole log again.
  await consolePage.filter.fill('line');
  await consolePage.filter.press('Enter');
  const [changed] = await waitForReads(1);
  assert.deepEqual(changed!.params, { machine: MACHINE, hide: 'line' });
  await answer(changed!);
  await consolePage.logStatus.filter({ hasText: /30 hidden \(containing “line”\) · page 2 of 2$/ }).waitFor();
  await settled();
  assert.deepEqual(await logLines(), lineList(21, 30, 'tick'));
  await consolePage.filter.press('Escape');
  const [whole] = await waitForReads(1);
  assert.deepEqual(whole!.params, { machine: MACHINE });
  await answer(whole!);
  await consolePage.logStatus.filter({ hasText: /^Log on disk: lines 41–60 of 60 · page 3 of 3$/ }).waitFor();
  await timersRun(FILTER_DELAY_MS);
  assert.deepEqual(await pendingReads(), [], 'the typing read nothing more');
});

test('each console keeps its own filter: its tab shows it, and a change typed goes to its console', async () => {
  const other = 'other';
  await openWith(lines(1, 30));
  await page.evaluate((m) => (window as unknown as WithHarness).consoleHarness.attach(m), other);
  await consolePage.tab(`Console — ${other}`).waitFor({ timeout: UI_DEADLINE_MS });
  const showTab = (machine: string) => consolePage.tab(`Console — ${machine}`).click();
  /** Types `text` as the filter of the tab shown, and answers the read it makes once the typing pauses. */
  async function filterBy(machine: string, text: string): Promise<void> {
    await consolePage.filter.fill(text);
    await timersRun(FILTER_DELAY_MS);
    const [read] = await waitForReads(1);
    assert.deepEqual(read!.params, { machine, hide: text });
    await answer(read!);
  }
  await showTab(MACHINE);
  await filterBy(MACHINE, 'line 1');
  await showTab(other);
  assert.equal(await consolePage.filter.inputValue(), '', "the other console's log is not open");
  await filterBy(other, 'line 2');
  await showTab(MACHINE);
  assert.equal(await consolePage.filter.inputValue(), 'line 1');
  await showTab(other);
  assert.equal(await consolePage.filter.inputValue(), 'line 2');
  // A change typed, and its tab left before the typing paused: read for the console it was typed for.
  await consolePage.filter.fill('line 3');
  await showTab(MACHINE);
  const [left] = await waitForReads(1);
  assert.deepEqual(left!.params, { machine: other, hide: 'line 3' });
  await answer(left!);
  assert.equal(await consolePage.filter.inputValue(), 'line 1');
  await timersRun(FILTER_DELAY_MS);
  assert.deepEqual(await pendingReads(), [], 'the change was read once, for its own console');
  await showTab(other);
  assert.equal(await consolePage.filter.inputValue(), 'line 3');
});

test('the last page follows what the machine prints, once a second; an earlier page stays put', async () => {
  await openWith(lines(1, 50));
  await openLog();
  // Three batches within a second: one read.
  await print(lines(51, 52));
  await print(lines(53, 54));
  await print(lines(55, 55));
  await timersRun(LOG_REFRESH_MS);
  const reads = await pendingReads();
  assert.equal(reads.length, 1, 'one refresh for the batches of one second');
  await answer(reads[0]!);
  await consolePage.logStatus.filter({ hasText: /lines 41–55 of 55 · page 3 of 3$/ }).waitFor();
  await settled();
  assert.deepEqual(await logLines(), lineList(41, 55));
  // On an earlier page, what the machine prints reads nothing, and the page stays.
  await consolePage.log.getByTestId('console-log-earlier').click();
  await answer((await waitForReads(1))[0]!);
  await consolePage.logStatus.filter({ hasText: /page 2 of 3$/ }).waitFor();
  await print(lines(56, 70));
  await timersRun(LOG_REFRESH_MS);
  assert.deepEqual(await pendingReads(), []);
  assert.equal(await consolePage.logStatus.textContent(), 'Log on disk: lines 21–40 of 55 · page 2 of 3');
  // "Later" to the last page follows again: it shows what was printed meanwhile.
  await consolePage.log.getByTestId('console-log-later').click();
  const [later] = await waitForReads(1);
  assert.deepEqual(later!.params, { machine: MACHINE });
  await answer(later!);
  await consolePage.logStatus.filter({ hasText: /lines 61–70 of 70 · page 4 of 4$/ }).waitFor();
  await print(lines(71, 71));
  await waitForReads(1, LOG_REFRESH_MS + UI_DEADLINE_MS);
});

test('Earlier and Later are reached with Tab from the log and pressed with Enter', async () => {
  await openWith(lines(1, 50));
  await openLog();
  const focused = () =>
    page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? '');
  assert.equal(await consolePage.log.getByTestId('console-log-later').isDisabled(), true, 'on the last page');
  // The read-only log gives Tab back to the page: Shift+Tab goes to "Back to live", then
  // "Earlier" (Later is disabled on the last page).
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(), 'console-log-close');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(), 'console-log-earlier');
  await page.keyboard.press('Enter');
  const [earlier] = await waitForReads(1);
  assert.deepEqual(earlier!.params, { machine: MACHINE, page: 1 });
  await answer(earlier!);
  await consolePage.logStatus.filter({ hasText: /page 2 of 3$/ }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'console-log-later');
  await page.keyboard.press('Enter');
  const [later] = await waitForReads(1);
  assert.deepEqual(later!.params, { machine: MACHINE });
  await answer(later!);
  await consolePage.logStatus.filter({ hasText: /page 3 of 3$/ }).waitFor();
});

test('a page whose read failed is not taken: Earlier and Later go on from the page shown', async () => {
  await openWith(lines(1, 50));
  await openLog();
  await consolePage.log.getByTestId('console-log-earlier').click();
  const [first] = await waitForReads(1);
  assert.deepEqual(first!.params, { machine: MACHINE, page: 1 });
  await fail(first!, 'permission denied');
  await page.locator('[data-panel="notifications"] .notification').waitFor({ timeout: UI_DEADLINE_MS });
  assert.equal(await consolePage.logStatus.textContent(), 'Log on disk: lines 41–50 of 50 · page 3 of 3');
  // Asked again, Earlier is the page before the one shown, not the one before the failed read's.
  await consolePage.log.getByTestId('console-log-earlier').click();
  const [again] = await waitForReads(1);
  assert.deepEqual(again!.params, { machine: MACHINE, page: 1 });
  await answer(again!);
  await consolePage.logStatus.filter({ hasText: /page 2 of 3$/ }).waitFor({ timeout: UI_DEADLINE_MS });
});

test('Enter on Earlier down to the first page, and on Later up to the last, keeps the focus', async () => {
  await openWith(lines(1, 50));
  await openLog();
  const focused = () =>
    page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? '');
  await consolePage.log.getByTestId('console-log-earlier').focus();
  for (const [wanted, shown] of [
    [1, 2],
    [0, 1],
  ] as const) {
    await page.keyboard.press('Enter');
    const [read] = await waitForReads(1);
    assert.deepEqual(read!.params, { machine: MACHINE, page: wanted });
    await answer(read!);
    await consolePage.logStatus.filter({ hasText: new RegExp(`page ${shown} of 3$`) }).waitFor();
  }
  assert.equal(await consolePage.log.getByTestId('console-log-earlier').isDisabled(), true);
  assert.equal(
    await focused(),
    'console-log-later',
    'the focus goes to the button that can still be pressed',
  );
  for (const [params, shown] of [
    [{ machine: MACHINE, page: 1 }, 2],
    [{ machine: MACHINE }, 3],
  ] as const) {
    await page.keyboard.press('Enter');
    const [read] = await waitForReads(1);
    assert.deepEqual(read!.params, params);
    await answer(read!);
    await consolePage.logStatus.filter({ hasText: new RegExp(`page ${shown} of 3$`) }).waitFor();
  }
  assert.equal(await consolePage.log.getByTestId('console-log-later').isDisabled(), true);
  assert.equal(await focused(), 'console-log-earlier');
});

test("find counts the matches of the view shown: the log's page, not the live console", async () => {
  await openWith('');
  await print(lines(1, 50));
  await consolePage.waitForText('line 50', UI_DEADLINE_MS);
  await consolePage.search.fill('line');
  await consolePage.searchCount.filter({ hasText: /^1 of 50$/ }).waitFor({ timeout: UI_DEADLINE_MS });
  await consolePage.search.fill('');
  await openLog();
  await consolePage.search.fill('line');
  await consolePage.searchCount.filter({ hasText: /^1 of 10$/ }).waitFor({ timeout: UI_DEADLINE_MS });
});

/** Lets a console stream last long enough to be attached again when it ends (REATTACH_MIN_MS). */
async function aSecond(): Promise<void> {
  const start = Date.now();
  await until(async () => Date.now() - start > 1100, 'a second to pass', UI_DEADLINE_MS);
}

test('a console that ends while its machine runs attaches again, and typing goes to the new one', async () => {
  await openWith('');
  await page.evaluate((m) => (window as unknown as WithHarness).consoleHarness.setRunning(m, true), MACHINE);
  // A stream that ends at once is not retried: its machine serves none.
  const end = (reason: string) =>
    page.evaluate(([m, r]) => (window as unknown as WithHarness).consoleHarness.end(m, r), [
      MACHINE,
      reason,
    ] as const);
  await end('refused');
  await settled();
  assert.equal((await calls('console.attach')).length, 1, 'no attach again after a stream of no time');
  await page.evaluate((m) => (window as unknown as WithHarness).consoleHarness.attach(m), MACHINE);
  // One that lasted (REATTACH_MIN_MS, a second) is: a rollback restarted its machine.
  await aSecond();
  await end('machine restarted');
  await until(async () => (await calls('console.attach')).length === 3, 'the attach again', UI_DEADLINE_MS);
  await consolePage.waitForText('console of demo closed: machine restarted', UI_DEADLINE_MS);
  await consolePage.type('x');
  await until(async () => (await calls('stream.input')).length > 0, 'the keystroke', UI_DEADLINE_MS);
  assert.deepEqual(await calls('stream.input'), [{ stream: 3, data: 'x' }]);
  // Its machine stopped: the console ends and stays ended.
  await page.evaluate((m) => (window as unknown as WithHarness).consoleHarness.setRunning(m, false), MACHINE);
  await aSecond();
  await end('machine stopped');
  await settled();
  assert.equal((await calls('console.attach')).length, 3);
  await consolePage.tab(`Console — ${MACHINE}`).and(page.locator('.ended')).waitFor();
});
