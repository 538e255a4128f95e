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

test('the summary gives each class an address: the instance retaining most, opened from there', async () => {
  const largest = inspector.summaryRow('.demo.noteList').getByTestId('summary-largest');
  const address = (await largest.textContent()) ?? '';
  assert.match(address, /^@0x[0-9a-f]{8}$/);
  await largest.focus();
  await page.keyboard.press('Enter');
  const pane = inspector.panes.first();
  await pane.locator('th', { hasText: 'items' }).waitFor();
  assert.equal(await pane.getAttribute('data-ref'), address);
  assert.equal(await inspector.panes.count(), 1, 'the object, not the list of instances');
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
  // The path is searched for when the section opens: wait for its steps, not a count read at once.
  await path.nth(2).waitFor();
  assert.ok((await path.count()) >= 3, 'root → directory → … → the list');
  assert.match((await path.first().textContent()) ?? '', /\.internal\.root/);
  await page.screenshot({ path: join(artifactsDir, 'inspector-panes.png') });
});

test('the path from the root names the field taken at each step', async () => {
  const objectPane = inspector.panes.nth(1);
  const steps = objectPane.getByTestId('inspector-path').locator('li');
  const vias = await steps.locator('.ph-via').allTextContents();
  assert.equal(vias.length, (await steps.count()) - 1, 'every step after the root names its field');
  assert.ok(
    vias.every((v) => /^\.\S+ → $/.test(v)),
    vias.join(' | '),
  );
});

test('search runs as you type: a class name lists its instances without Enter', async () => {
  await inspector.typeSearch('notelist');
  await inspector.panes
    .first()
    .locator('.ph-pane-title', { hasText: 'classes matching notelist (1)' })
    .waitFor({ timeout: 5000 });
  // A half-typed address is no error; a whole one opens its object.
  await inspector.typeSearch('@0x4');
  await page.waitForTimeout(600);
  assert.equal(await page.getByTestId('harness-errors').textContent(), '');
  const listRef = (await inspector.panes.first().getAttribute('data-ref')) ?? '';
  assert.equal(listRef, '', 'the list pane stays while the address is half typed');
});

test('the retainers tree: a note is held by the items array (a string[]), held by the list, up to the root', async () => {
  await inspector.search('.demo.noteList');
  await inspector.panes.first().locator('button.ph-ref').first().click();
  await inspector.panes.nth(1).locator('tr', { hasText: 'items' }).locator('button.ph-ref').click();
  const array = inspector.panes.nth(2);
  await array.locator('.ph-string', { hasText: 'note 2 written at run 1' }).click();
  const note = inspector.panes.nth(3);
  const top = inspector.retainers(note);
  await top.first().waitFor();
  assert.match(
    (await top.first().locator('.ph-retainer').textContent()) ?? '',
    /^▸?\.\[1\] in @0x[0-9a-f]+ \.internal\.string\[\]\s*\d+$/,
  );
  // Open the holder's holders, twice: the array is held by the list's items field.
  await top.first().getByTestId('retainer-toggle').click();
  const second = top.first().locator(':scope > ul > li[role="treeitem"]');
  await second.first().waitFor();
  assert.match(
    (await second.first().locator('.ph-retainer').textContent()) ?? '',
    /\.items in .*\.demo\.noteList/,
  );
  await second.first().getByTestId('retainer-toggle').click();
  const third = second.first().locator(':scope > ul > li[role="treeitem"]');
  await third.first().waitFor();
  const distances = [top.first(), second.first(), third.first()].map((row) =>
    row.locator(':scope > .ph-retainer .ph-distance').textContent(),
  );
  const [d1, d2, d3] = (await Promise.all(distances)).map(Number);
  assert.ok(d1! > d2! && d2! > d3!, `each holder is nearer the root: ${d1}, ${d2}, ${d3}`);
  await note.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifactsDir, 'inspector-retainers-tree.png') });
});

test('the diff of generation 0 and 1 shows the notes the program added, garbage left out by default', async () => {
  await inspector.compareWith(0);
  await page.getByTestId('diff-total').waitFor();
  assert.equal(await inspector.reachableOnly.isChecked(), true, 'reachable only is the default');
  assert.match((await page.getByTestId('diff-total').textContent()) ?? '', /\(reachable\)/);
  assert.equal(await inspector.diffCount('.demo.noteList', 'added'), 1);
  const reachableStrings = await inspector.diffCount('.internal.string', 'added');
  assert.ok(reachableStrings >= 3, `${reachableStrings} strings`);
  await page.screenshot({ path: join(artifactsDir, 'inspector-diff.png') });
  // The strings the program built and printed are garbage now: they show only when asked for.
  await inspector.reachableOnly.uncheck();
  await page.getByTestId('diff-total').filter({ hasText: 'garbage included' }).waitFor();
  const allStrings = await inspector.diffCount('.internal.string', 'added');
  assert.ok(allStrings > reachableStrings, `${allStrings} strings with garbage, ${reachableStrings} without`);
  await inspector.reachableOnly.check();
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
  // Array classes are named as their element's with [] (arrays carry their class).
  const className = other.match(/(\.[\w.]+(?:\[\])*) ·/)?.[1] ?? '';
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
