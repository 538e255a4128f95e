/**
 * The inspector following a machine, in Chromium over the counter's generations (compiled by
 * lang, run by its reference interpreter): each generation followed is shown in place, so the
 * keyboard keeps its place. A class row of the summary keeps the focus while its count moves on,
 * and Enter lists its instances, in a pane that stays where it was scrolled to; a reference in the
 * threads view keeps the focus, and Enter opens it as of the generation shown; the lists of
 * generations are not emptied and filled again (one open or moved through by keys would be).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { cspViolations, launchChromium, recordCspViolations } from './fixtures.js';
import { type HarnessServer, programGenerations, startHarness } from './inspector-harness.js';
import { InspectorPage } from './pages/inspector-page.js';

let browser: Browser;
let harness: HarnessServer;
let page: Page;
let inspector: InspectorPage;

/** Generation 0 is the fresh image, then one every second of machine time (ten ticks, ten strings). */
const STEPS_MS = [1000, 2000, 3000, 4000, 5000, 6000];

before(async () => {
  harness = await startHarness(programGenerations('counter', '.demo.counter', STEPS_MS, 1 << 20));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 600 } });
  await recordCspViolations(page);
  inspector = new InspectorPage(page);
  await page.goto(harness.url);
  await inspector.status.filter({ hasText: `Generation ${STEPS_MS.length}` }).waitFor();
  await page.evaluate(() => (window as unknown as WithHandle).phantomInspector.showGeneration(1));
  await inspector.status.filter({ hasText: 'Generation 1:' }).waitFor();
});

after(async () => {
  await browser?.close();
  await harness?.stop();
});

/** The harness page's handle on the inspector (a part of InspectorHandle). */
interface WithHandle {
  phantomInspector: { showGeneration(n: number): Promise<void>; follow(n: number): Promise<void> };
}

/** Follows generation `n` as the studio does for a running machine, and waits until it is shown. */
async function follow(n: number): Promise<void> {
  await page.evaluate((g) => (window as unknown as WithHandle).phantomInspector.follow(g), n);
  await inspector.status.filter({ hasText: `Generation ${n} (following)` }).waitFor();
}

/** The focused element, as its tag and what names it here (class row, reference, test id). */
function focused(): Promise<string> {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e) return 'none';
    return `${e.tagName.toLowerCase()}${e.dataset.class ? `[${e.dataset.class}]` : ''}${e.dataset.ref ? `[${e.dataset.ref}]` : ''}`;
  });
}

test('a summary row keeps the focus while its count moves on; Enter lists its instances', async () => {
  const before = await inspector.count('.internal.string');
  await inspector.summaryRow('.internal.string').focus();
  await follow(2);
  assert.ok((await inspector.count('.internal.string')) > before, 'the counter made strings');
  assert.equal(await focused(), 'tr[.internal.string]');
  await follow(3);
  assert.equal(await focused(), 'tr[.internal.string]');
  await page.keyboard.press('Enter');
  await inspector.panes.first().waitFor();
  assert.match((await inspector.panes.first().textContent()) ?? '', /string/);
});

test('a pane scrolled down stays there while the generations move on', async () => {
  const pane = inspector.panes.first();
  const scroll = () => pane.evaluate((e) => [e.scrollTop, e.scrollHeight - e.clientHeight]);
  const [, most] = await scroll();
  assert.ok(most > 0, 'the list of strings is longer than the pane');
  await pane.hover();
  await page.mouse.wheel(0, most);
  await page.waitForFunction((e) => e!.scrollTop > 0, await pane.elementHandle());
  const [scrolled] = await scroll();
  await follow(4);
  assert.equal((await scroll())[0], scrolled);
});

test('a reference in the threads view keeps the focus; Enter opens it in the generation shown', async () => {
  await inspector.tab('threads').click();
  const ref = page.getByTestId('inspector-threads').locator('button.ph-ref').first();
  const address = await ref.getAttribute('data-ref');
  assert.ok(address, 'a frame of the counter holds a reference');
  await ref.focus();
  await follow(5);
  assert.equal(await focused(), `button[${address}]`);
  await page.keyboard.press('Enter');
  await inspector.panes.and(page.locator(`[data-ref="${address}"]`)).waitFor();
  assert.deepEqual(await cspViolations(page), []);
});

test('a follow leaves the lists of generations in place when the kept generations are the same', async () => {
  const lists = page.locator('[data-testid="inspector-generation"], [data-testid="inspector-compare"]');
  assert.equal(await lists.count(), 2);
  const options = await lists.evaluateAll((selects) =>
    selects.map((s) => (s as HTMLSelectElement).options.length),
  );
  await lists.evaluateAll((selects) => {
    const changes: string[] = [];
    const observer = new MutationObserver((records) => {
      for (const r of records)
        changes.push(`${r.type} ${(r.target as Element).getAttribute?.('data-testid') ?? ''}`);
    });
    for (const s of selects) observer.observe(s, { subtree: true, childList: true, characterData: true });
    Object.assign(window, { listChanges: changes });
  });
  await follow(6);
  assert.equal(await page.getByTestId('inspector-generation').inputValue(), '6');
  assert.deepEqual(
    await page.evaluate(() => (window as unknown as { listChanges: string[] }).listChanges),
    [],
  );
  assert.deepEqual(
    await lists.evaluateAll((selects) => selects.map((s) => (s as HTMLSelectElement).options.length)),
    options,
  );
});
