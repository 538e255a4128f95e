// The inspector's charts in Chromium, over generations of lang's counter run by the reference
// interpreter in a 1 MiB space: the counter's history as a chart (axes, values under the pointer,
// zoom by dragging and by keys), and the Memory tab, where the garbage the counter leaves (a
// string a tick) grows until the interpreter's collector frees it, and the view says when and how
// much. Screenshots go to artifacts/e2e/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifactsDir, cspViolations, launchChromium, recordCspViolations } from './fixtures.js';
import { type HarnessServer, programGenerations, startHarness } from './inspector-harness.js';
import { InspectorPage } from './pages/inspector-page.js';

let browser: Browser;
let harness: HarnessServer;
let page: Page;
let inspector: InspectorPage;

/**
 * Generation 0 is the fresh image, then one every 500 s of machine time (5,000 ticks). The
 * interpreter collects when its 1 MiB space is full, which the counter's strings fill between
 * generations 4 and 5.
 */
const STEPS_MS = [500_000, 1_000_000, 1_500_000, 2_000_000, 2_500_000, 3_000_000];
const NEWEST = STEPS_MS.length;

before(async () => {
  harness = await startHarness(programGenerations('counter', '.demo.counter', STEPS_MS, 1 << 20));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await recordCspViolations(page);
  inspector = new InspectorPage(page);
  await page.goto(harness.url);
  await inspector.status.filter({ hasText: `Generation ${NEWEST}` }).waitFor();
});

after(async () => {
  await browser?.close();
  await harness?.stop();
});

test("an object's history is a chart: its count by generation, values under the pointer, zoom", async () => {
  await inspector.search('.demo.counter');
  await inspector.panes.first().locator('button.ph-ref').first().click();
  const counter = inspector.panes.nth(1);
  await counter.locator('summary', { hasText: 'History across generations' }).click();
  const chart = counter.getByTestId('inspector-history-chart');
  await chart.waitFor();
  assert.equal(await chart.getAttribute('data-points'), String(NEWEST + 1), 'generations 0 to 6');
  // Axes (drawn on the canvas; the chart says them to screen readers): generation across, count up.
  assert.match((await chart.getAttribute('aria-label')) ?? '', /Across: generation\. Up: count\./);
  // Hover: the legend shows the count at the generation under the pointer.
  const over = chart.locator('.u-over');
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
  const legend = chart.locator('.u-legend');
  await legend
    .locator('.u-value', { hasText: /^\d[\d,]*\s*$/ })
    .first()
    .waitFor();
  const values = await legend.locator('.u-value').allTextContents();
  assert.ok(
    values.some((v) => Number(v.replace(/,/g, '')) >= 29_000),
    `values at the newest: ${values}`,
  );
  await page.screenshot({ path: join(artifactsDir, 'inspector-history-chart.png') });
  // Zoom by dragging across the left half; Reset zoom shows everything again.
  const reset = chart.getByTestId('inspector-history-chart-reset');
  assert.equal(await reset.isVisible(), false);
  await page.mouse.move(box.x + 5, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await reset.waitFor();
  await reset.click();
  await reset.waitFor({ state: 'hidden' });
  // And by keys: + zooms in, 0 resets, arrows step the legend through the points.
  await chart.focus();
  await page.keyboard.press('+');
  await reset.waitFor();
  await page.keyboard.press('0');
  await reset.waitFor({ state: 'hidden' });
  await page.keyboard.press('ArrowRight');
  await legend.locator('.u-value', { hasText: /^\d/ }).first().waitFor();
});

test('the Memory tab: garbage grows by a string a tick, then the collector frees it', async () => {
  await inspector.tab('memory').click();
  const view = page.getByTestId('inspector-collector');
  await view.getByTestId('collector-load-all').click();
  await view
    .getByTestId('collector-chart')
    .and(page.locator(`[data-points="${NEWEST + 1}"]`))
    .waitFor();
  const collections = view.getByTestId('collection');
  await collections.first().waitFor();
  assert.equal(await collections.count(), 1, 'one collection, between generations 4 and 5');
  assert.match(
    (await collections.first().textContent()) ?? '',
    /^Between generation 4 and 5 the collector freed at least [\d,]+ objects \([\d.]+ KB\)\.$/,
  );
  const freed = Number(
    (await collections.first().textContent())!.match(/at least ([\d,]+)/)![1]!.replace(/,/g, ''),
  );
  assert.ok(freed > 5_000, `${freed} objects freed: the strings of thousands of ticks`);
  assert.match(
    (await view.getByTestId('collector-forecast').textContent()) ?? '',
    /max\(4\.0 MB, live data\)/,
  );
  assert.match(
    (await view.getByTestId('collector-summary').textContent()) ?? '',
    /^Generation 6: [\d,]+ of [\d,]+ objects are garbage/,
  );
  await page.screenshot({ path: join(artifactsDir, 'inspector-memory-collector.png') });
});

test('no errors were reported by the views, and the CSP refused nothing', async () => {
  assert.equal(await page.getByTestId('harness-errors').textContent(), '');
  assert.deepEqual(await cspViolations(page), []);
});
