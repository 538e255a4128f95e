// The inspector's views in Chromium over generations of real programs (compiled by lang, run
// by its reference interpreter): class summary, chained object panes, path to the root,
// threads and frames, the graph, and the diff of two generations. Screenshots go to
// artifacts/e2e/.
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

before(async () => {
  // notes: generation 0 is the fresh image, generation 1 after the program ran (three notes added).
  harness = await startHarness(programGenerations('notes', '.demo.notes', [1000]));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  // The harness serves the studio's CSP; whatever it refuses (the graph's worker, say) is recorded.
  await recordCspViolations(page);
  inspector = new InspectorPage(page);
  await page.goto(harness.url);
  await inspector.status.filter({ hasText: 'Generation 1' }).waitFor();
});

after(async () => {
  await browser?.close();
  await harness?.stop();
});

test('the summary lists the program classes with their instance counts', async () => {
  assert.equal(await inspector.count('.demo.noteList'), 1);
  assert.ok((await inspector.count('.internal.string')) > 3);
  await page.getByTestId('summary-filter').fill('demo');
  assert.equal(await page.getByTestId('inspector-summary').locator('tbody tr').count(), 2);
  await page.getByTestId('summary-filter').fill('');
  await page.screenshot({ path: join(artifactsDir, 'inspector-summary.png') });
});

test('panes chain from a class to an instance to its fields, with the path from the root', async () => {
  await inspector.summaryRow('.demo.noteList').click();
  await inspector.panes.first().locator('button.ph-ref').first().click();
  const objectPane = inspector.panes.nth(1);
  await objectPane.locator('th', { hasText: 'items' }).waitFor();
  await objectPane.locator('th', { hasText: 'count' }).waitFor();
  assert.equal(await objectPane.locator('tr', { hasText: 'count' }).locator('.ph-int').textContent(), '3');
  await objectPane.locator('tr', { hasText: 'items' }).locator('button.ph-ref').click();
  const array = inspector.panes.nth(2);
  await array.locator('.ph-string', { hasText: 'note 2 written at run 1' }).waitFor();
  await objectPane.locator('summary', { hasText: 'Path from the root' }).click();
  const path = objectPane.getByTestId('inspector-path').locator('li');
  assert.ok((await path.count()) >= 3, 'root → directory → … → the list');
  assert.match((await path.first().textContent()) ?? '', /\.internal\.root/);
  await page.screenshot({ path: join(artifactsDir, 'inspector-panes.png') });
});

test('the diff of generation 0 and 1 shows the notes the program added', async () => {
  await inspector.compareWith(0);
  await page.getByTestId('diff-total').waitFor();
  const noteList = page.getByTestId('inspector-diff').locator('tr[data-class=".demo.noteList"]');
  assert.equal(await noteList.locator('[data-kind="added"]').textContent(), '1');
  const strings = page.getByTestId('inspector-diff').locator('tr[data-class=".internal.string"]');
  assert.ok(Number(await strings.locator('[data-kind="added"]').textContent()) >= 3);
  await page.screenshot({ path: join(artifactsDir, 'inspector-diff.png') });
});

/** What the graph view shows now: its object count and the labels of its last frame. */
function graphState(page: Page): Promise<{ size: number; hops: number; labels: string[] }> {
  return page.evaluate(() => {
    const view = (
      window as unknown as {
        phantomInspector: { graph: { size: number; hops: number; labelsDrawn: string[] } };
      }
    ).phantomInspector.graph;
    return { size: view.size, hops: view.hops, labels: [...view.labelsDrawn] };
  });
}

const settledGraph = '[data-testid="inspector-graph"][data-settled="true"]';

test('the graph shows a neighbourhood two references deep, labelled, and opens a node as a pane', async () => {
  await inspector.search('.demo.noteList');
  await inspector.panes.first().locator('button.ph-ref').first().click();
  await inspector.panes.nth(1).getByRole('button', { name: 'Show in graph' }).click();
  const graph = page.getByTestId('inspector-graph');
  // The view says when its layout (in its worker) has stopped moving and is drawn in full.
  await page.locator(settledGraph).waitFor({ timeout: 60_000 });
  const { size, hops, labels } = await graphState(page);
  // Two references each way around the list: its items, its strings, the frames holding it... not
  // the whole machine (296 objects, which is what a first look showed before there was a depth).
  assert.equal(hops, 2);
  assert.ok(size > 3 && size < 60, `${size} nodes`);
  const info = (await graph.getByTestId('inspector-graph-info').textContent()) ?? '';
  assert.match(
    info,
    new RegExp(
      `^${size} objects, \\d+ references around @0x[0-9a-f]+ \\.demo\\.noteList within 2 references; \\d+ more one further$`,
    ),
  );
  // The focus first, then its direct neighbours: its items array among them.
  assert.match(labels[0] ?? '', /^noteList @[0-9a-f]{4}$/);
  assert.ok(
    labels.some((l) => /^array @[0-9a-f]{4}$/.test(l)),
    `the items array is labelled: ${labels.join(', ')}`,
  );
  const legend = graph.getByTestId('inspector-graph-legend').locator('li');
  assert.match((await legend.first().textContent()) ?? '', /^noteList1$/);
  assert.ok((await legend.count()) >= 3, 'the legend names the classes shown');
  await page.screenshot({ path: join(artifactsDir, 'inspector-graph.png') });
  // Hover: the focus is at the centre; a tooltip says what it is.
  const canvas = page.getByTestId('inspector-graph-canvas');
  const box = (await canvas.boundingBox())!;
  const tooltip = graph.getByTestId('inspector-graph-tooltip');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await tooltip.waitFor();
  assert.match((await tooltip.textContent()) ?? '', /\.demo\.noteList.*count3/s);
  // Around the focus until the pointer is over another object; a click opens it as a pane.
  let other = '';
  for (let step = 1; step < 400 && !other; step++) {
    const angle = step * 0.5;
    const radius = 4 + step * 0.6;
    await page.mouse.move(
      box.x + box.width / 2 + radius * Math.cos(angle),
      box.y + box.height / 2 + radius * Math.sin(angle),
    );
    const text = (await tooltip.isVisible()) ? ((await tooltip.textContent()) ?? '') : '';
    if (text && !text.includes('.demo.noteList')) other = text;
  }
  assert.ok(other, 'some other object lies around the focus');
  await page.screenshot({ path: join(artifactsDir, 'inspector-graph-hover.png') });
  const className = other.match(/(\.[\w.]+) ·/)?.[1] ?? '';
  assert.ok(className, `the tooltip names a class: ${other}`);
  await page.mouse.down();
  await page.mouse.up();
  await inspector.panes.last().locator('.ph-pane-title', { hasText: className }).waitFor();
});

test('Widen reaches one reference further; the whole reach, up to 5,000 objects, still draws after zoom and pan', async () => {
  const before = await graphState(page);
  await page.getByTestId('inspector-graph-widen').click();
  await page.waitForFunction((shown) => {
    const view = (window as unknown as { phantomInspector: { graph: { size: number } } }).phantomInspector
      .graph;
    return view.size > shown;
  }, before.size);
  await page.locator(settledGraph).waitFor({ timeout: 60_000 });
  const wider = await graphState(page);
  assert.equal(wider.hops, 3);
  assert.ok(wider.size > before.size, `${before.size} nodes, then ${wider.size}`);
  await page.screenshot({ path: join(artifactsDir, 'inspector-graph-widened.png') });

  await page.getByTestId('inspector-graph-size').selectOption('5000');
  await page.getByTestId('inspector-graph-depth').selectOption({ label: 'all within reach' });
  await page.waitForFunction(
    () =>
      (window as unknown as { phantomInspector: { graph: { hops: number } } }).phantomInspector.graph.hops ===
      Number.POSITIVE_INFINITY,
  );
  await page.locator(settledGraph).waitFor({ timeout: 120_000 });
  const all = await graphState(page);
  assert.ok(all.size > wider.size, `the whole reach: ${all.size} nodes`);
  assert.match(
    (await page.getByTestId('inspector-graph-info').textContent()) ?? '',
    new RegExp(`^${all.size} objects, \\d+ references around .*\\.demo\\.noteList$`),
  );
  assert.equal(await page.getByTestId('inspector-graph-widen').isVisible(), false, 'nothing lies further');
  const canvas = page.getByTestId('inspector-graph-canvas');
  const box = await canvas.boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -240);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 20, { steps: 4 });
  await page.mouse.up();
  // Something is drawn: some pixels of the canvas are not transparent.
  await page.waitForFunction(() => {
    const drawn = document.querySelector<HTMLCanvasElement>('[data-testid="inspector-graph-canvas"]');
    const pixels = drawn?.getContext('2d')?.getImageData(0, 0, drawn.width, drawn.height).data;
    return pixels?.some((value, i) => i % 4 === 3 && value > 0) ?? false;
  });
  await page.screenshot({ path: join(artifactsDir, 'inspector-graph-5000.png') });
});

test('no errors were reported by the views, and the CSP refused nothing (the layout worker included)', async () => {
  assert.equal(await page.getByTestId('harness-errors').textContent(), '');
  assert.deepEqual(await cspViolations(page), []);
});
