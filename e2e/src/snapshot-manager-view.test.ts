/**
 * The snapshot manager alone in Chromium (shell/src/renderer/snapshot-manager-harness.ts), with
 * refreshes coming as the timeline panel sends them, once for each generation the studio follows:
 * a refresh never takes away what the user is doing. The name being typed keeps its field, text
 * and caret, and Enter renames; a focused button keeps the focus; the tree stays where the user
 * scrolled it; a click that a refresh falls into still chooses its row; rows whose content did
 * not change are not touched. Needs no machine.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { cspViolations, launchChromium, recordCspViolations, repoRoot } from './fixtures.js';
import { type HarnessServer, serveViewHarness } from './harness-server.js';
import { SnapshotManagerPage, UI_DEADLINE_MS } from './pages/snapshot-manager-page.js';

/** What the page exposes (the harness's `window.snapshotHarness`). */
interface WithHarness {
  snapshotHarness: Harness;
}

interface Harness {
  generations(count: number): void;
  checkpoints(names: string[]): void;
  holdSizes(): void;
  answerSizes(): void;
  holdRenames(): void;
  answerRenames(): void;
  open(): void;
  currentIndex(): number;
  calls: { method: string; params: Record<string, unknown> }[];
  selected: number[];
  reverts: number[];
}

let server: HarnessServer | undefined;
let url: string;
let browser: Browser;
let page: Page;
let manager: SnapshotManagerPage;

before(async () => {
  server = await serveViewHarness({
    entry: join(repoRoot, 'shell/dist/renderer/snapshot-manager-harness.js'),
    title: 'Snapshot manager',
    body: '<div id="app"></div><div data-panel="notifications"></div>',
  });
  url = server.url;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

interface Opening {
  viewport?: { width: number; height: number };
  /** Checkpoint sizes are held back until answerSizes(), to arrive while the user types. */
  holdSizes?: boolean;
}

/** A fresh page: a machine with some generations and the checkpoints `names`, the manager open. */
async function openWith(names: string[], { viewport, holdSizes = false }: Opening = {}): Promise<void> {
  await page?.close();
  page = await browser.newPage({ viewport: viewport ?? { width: 1200, height: 800 } });
  await recordCspViolations(page);
  await page.goto(url);
  await page.waitForFunction(() => 'snapshotHarness' in window);
  await page.evaluate(
    ([checkpoints, hold]) => {
      const h = (window as unknown as WithHarness).snapshotHarness;
      if (hold) h.holdSizes();
      h.generations(3);
      h.checkpoints(checkpoints);
      h.generations(2);
      h.open();
    },
    [names, holdSizes] as const,
  );
  manager = new SnapshotManagerPage(page);
  await manager.tree.waitFor({ timeout: UI_DEADLINE_MS });
}

/** Commits `count` generations and refreshes the manager, as one timeline read does. */
function generations(count: number): Promise<void> {
  return page.evaluate((n) => (window as unknown as WithHarness).snapshotHarness.generations(n), count);
}

function answerSizes(): Promise<void> {
  return page.evaluate(() => (window as unknown as WithHarness).snapshotHarness.answerSizes());
}

function renames(): Promise<Record<string, unknown>[]> {
  return page.evaluate(() =>
    (window as unknown as WithHarness).snapshotHarness.calls
      .filter((c) => c.method === 'machine.checkpointRename')
      .map((c) => c.params),
  );
}

/** The generations "Show on the timeline" chose, and the index of "you are here" now. */
function selections(): Promise<[number[], number]> {
  return page.evaluate(() => {
    const h = (window as unknown as WithHarness).snapshotHarness;
    return [h.selected, h.currentIndex()] as [number[], number];
  });
}

/** The tag and test id of the focused element, to say where the focus went when it is lost. */
function focusedElement(): Promise<string> {
  return page.evaluate(() => {
    const e = document.activeElement;
    return e ? `${e.tagName.toLowerCase()}[${(e as HTMLElement).dataset.testid ?? ''}]` : 'none';
  });
}

test('a name being typed keeps its field, text and caret through refreshes; Enter renames', async () => {
  await openWith(['before'], { holdSizes: true });
  await manager.focusCheckpoint('before');
  await page.keyboard.press('F2');
  assert.equal(await focusedElement(), 'input[snapshot-name]');
  const field = await manager.name.elementHandle();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('fist');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  // Generations come, and what the checkpoint's details say changes under the typing (its size).
  await generations(1);
  await answerSizes();
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="snapshot-details"]')?.textContent?.includes('4.0 MiB'),
  );
  await generations(5);
  await page.keyboard.type('r');
  assert.equal(
    await field!.evaluate((e) => e.isConnected),
    true,
    'the field typed in is still the one shown',
  );
  assert.equal(await manager.name.inputValue(), 'first');
  assert.equal(await focusedElement(), 'input[snapshot-name]');
  await page.keyboard.press('Enter');
  await manager.checkpoint('first').waitFor({ timeout: UI_DEADLINE_MS });
  assert.deepEqual(await renames(), [{ machine: 'demo', checkpoint: 'before', name: 'first' }]);
  assert.equal(await focusedElement(), 'div[snapshot-tree]', 'the tree has the focus back after renaming');
  assert.deepEqual(await cspViolations(page), []);
});

test('a rename answered late does not take the focus from the description typed meanwhile', async () => {
  await openWith(['before']);
  await page.evaluate(() => (window as unknown as WithHarness).snapshotHarness.holdRenames());
  await manager.focusCheckpoint('before');
  await page.keyboard.press('F2');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('first');
  await page.keyboard.press('Enter');
  // The rename is done (another refresh shows it, as the CLI's watch does) but not answered yet.
  await generations(1);
  await manager.checkpoint('first').waitFor({ timeout: UI_DEADLINE_MS });
  await manager.focusCheckpoint('first');
  await manager.description.focus();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('the count');
  await page.evaluate(() => (window as unknown as WithHarness).snapshotHarness.answerRenames());
  // The rename's end (a timeline read, then its focus move) comes within a few tasks.
  await page.waitForTimeout(200);
  await page.keyboard.type('er before any edit');
  assert.equal(await focusedElement(), 'textarea[snapshot-description]');
  assert.equal(await manager.description.inputValue(), 'the counter before any edit');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() =>
    (window as unknown as WithHarness).snapshotHarness.calls.some(
      (c) => c.method === 'machine.checkpointDescribe',
    ),
  );
  const [describes, reverts] = await page.evaluate(() => {
    const h = (window as unknown as WithHarness).snapshotHarness;
    return [h.calls.filter((c) => c.method === 'machine.checkpointDescribe').map((c) => c.params), h.reverts];
  });
  assert.deepEqual(describes, [
    { machine: 'demo', checkpoint: 'first', description: 'the counter before any edit' },
  ]);
  assert.deepEqual(reverts, [], 'no keystroke reached the tree, where Enter reverts');
});

test('a focused button in the details keeps the focus through refreshes', async () => {
  await openWith(['before']);
  await page.keyboard.press('End');
  assert.equal(await manager.focused().getAttribute('data-kind'), 'here');
  await page.keyboard.press('Tab');
  assert.equal(await focusedElement(), 'button[snapshot-show]');
  // "You are here" moves on with each generation, and what its details say with it.
  await generations(3);
  await generations(3);
  assert.match((await manager.details.textContent()) ?? '', /generation 11,/);
  assert.equal(await focusedElement(), 'button[snapshot-show]');
  await page.keyboard.press('Enter');
  const [selected, current] = await selections();
  assert.deepEqual(selected, [current], 'Enter shows the present generation, as it is now');
});

test('the tree stays where the user scrolled it while generations come', async () => {
  // Enough checkpoints that the tree scrolls; the manager opens on "you are here", at the end.
  const names = Array.from({ length: 60 }, (_, i) => `cp-${i}`);
  await openWith(names, { viewport: { width: 1000, height: 600 } });
  const scroll = () => manager.tree.evaluate((e) => [e.scrollTop, e.scrollHeight - e.clientHeight]);
  const [atEnd, most] = await scroll();
  assert.ok(most > 0, 'the tree overflows');
  assert.ok(atEnd > 0, 'opened at the focused row, the last');
  await manager.tree.hover();
  await page.mouse.wheel(0, -most);
  await page.waitForFunction(() => document.querySelector('[data-testid="snapshot-tree"]')!.scrollTop === 0);
  await generations(4);
  await generations(4);
  assert.deepEqual(await scroll(), [0, most]);
  // The keys still bring the focused row into sight.
  await manager.tree.focus();
  await page.keyboard.press('ArrowUp');
  assert.ok((await scroll())[0] > 0, 'a key press scrolls to the row it moves to');
});

test('a click a refresh falls into still chooses its row', async () => {
  await openWith(['one', 'two']);
  const row = manager.checkpoint('one');
  const box = (await row.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await generations(1);
  await page.mouse.up();
  await row.and(manager.focused()).waitFor({ timeout: UI_DEADLINE_MS });
  assert.equal(await manager.name.inputValue(), 'one');
});

test('a refresh writes only what changed: checkpoint rows are left alone', async () => {
  await openWith(['one', 'two', 'three']);
  await manager.tree.evaluate((tree) => {
    const changed: string[] = [];
    const observer = new MutationObserver((records) => {
      for (const r of records) {
        const target = r.target instanceof Element ? r.target : r.target.parentElement;
        changed.push(target?.closest<HTMLElement>('[role="treeitem"]')?.dataset.key ?? 'tree');
      }
    });
    observer.observe(tree, { subtree: true, childList: true, characterData: true, attributes: true });
    Object.assign(window, { treeChanges: changed });
  });
  await generations(2);
  const changed = await page.evaluate(() => (window as unknown as { treeChanges: string[] }).treeChanges);
  assert.ok(changed.length > 0, 'the refresh changed something (the present moved on)');
  assert.deepEqual(
    [...new Set(changed)].sort(),
    ['branch:0', 'here'],
    'only the branch (its span) and "you are here" (its generation) were written',
  );
});

test('a name typed and not saved is dropped when the manager closes', async () => {
  await openWith(['before']);
  await manager.focusCheckpoint('before');
  await page.keyboard.press('F2');
  await page.keyboard.type('half-typed');
  await page.getByTestId('snapshot-close').click();
  await manager.dialog.waitFor({ state: 'hidden', timeout: UI_DEADLINE_MS });
  await page.evaluate(() => (window as unknown as WithHarness).snapshotHarness.open());
  // It opens on the row it closed on.
  assert.equal(await manager.focused().getAttribute('data-name'), 'before');
  assert.equal(await manager.name.inputValue(), 'before');
  assert.deepEqual(await renames(), []);
});
