/**
 * Journeys through the workspace that need no machine: a program opened from the explorer,
 * a compile error appearing as a squiggle at its line, the language server's completion and
 * hover, the Problems panel (an error listed, Install showing it there, the fix clearing it),
 * saving through the host, and a terminal on the host running a command. Screenshots go to
 * artifacts/e2e/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { artifactsDir, cspViolations, type RunningStudio } from './fixtures.js';
import { ConsolePage, EditorPage, MachineBarPage, ProblemsPage, TimelinePage } from './pages/panels.js';
import { openStudioSession, type StudioSession } from './studio-session.js';

const program = `// A small program of the user's own.
package .mine;

import .internal.io.tty;

class greeter {
  var count : int;

  void run() {
    count = count + 1;
    tty.println("hello " + count);
  }
};
`;

let session: StudioSession | undefined;
let studio: RunningStudio;
let page: Page;
let pageErrors: string[] = [];

before(async () => {
  session = await openStudioSession({
    projectFiles: { 'greeter.ph': program },
    viewport: { width: 1400, height: 860 },
  });
  ({ studio, page, pageErrors } = session);
});

after(() => session?.close());

test('a compile error appears as a squiggle at its line, and goes away when fixed', async () => {
  const editor = new EditorPage(page);
  await editor.open('project/greeter.ph');
  assert.equal(await editor.errorSquiggles().count(), 0, 'the program compiles as written');
  await editor.goToLineEnd(10);
  await page.keyboard.type(' + nosuchname');
  await editor.errorSquiggles().first().waitFor({ timeout: 30_000 });
  // F8 jumps to the problem: the status bar then shows the squiggle's line.
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('F8');
  await page
    .getByText(/nosuchname/)
    .first()
    .waitFor();
  assert.match((await editor.status.textContent()) ?? '', /^Ln 10,/);
  await page.screenshot({ path: join(artifactsDir, 'editor-diagnostics.png') });
  await page.keyboard.press('Escape');
  await editor.goToLineEnd(10);
  for (const _ of ' + nosuchname') await page.keyboard.press('Backspace');
  await editor.errorSquiggles().first().waitFor({ state: 'detached', timeout: 30_000 });
});

/** Undoes the edits of a test until the buffer is as saved (its tab no longer dirty). */
async function undoToSaved(editor: EditorPage, file: string): Promise<void> {
  await editor.focus();
  for (let i = 0; i < 100 && (await editor.tab(file).and(page.locator('.dirty')).count()) > 0; i++)
    await page.keyboard.press('Control+z');
  await editor.tab(file).and(page.locator(':not(.dirty)')).waitFor();
}

test("completion after a '.' offers the receiver's members, by its type; hover shows the docs", async () => {
  const editor = new EditorPage(page);
  await editor.open('project/greeter.ph');
  await editor.goToLineEnd(10);
  await page.keyboard.press('Enter');
  await editor.type('tty.');
  assert.deepEqual((await editor.suggestions()).sort(), ['print', 'println'], "a class's static methods");
  await page.screenshot({ path: join(artifactsDir, 'editor-completion.png') });
  await page.keyboard.press('Escape');
  await editor.type('println("x");');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  await editor.type('var s = "a" + count;');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  await editor.type('s.');
  const onString = await editor.suggestions();
  for (const member of ['length', 'substring', 'indexOf', 'className'])
    assert.ok(onString.includes(member), `${member} in ${onString.join(', ')}`);
  assert.ok(!onString.includes('greeter') && !onString.includes('count'), 'not the words of the file');
  await page.keyboard.press('Escape');
  const hover = await editor.hoverOver('println');
  assert.match(hover, /static native void println\(text : string\)/);
  assert.match(hover, /Write the string and a newline\./);
  await page.screenshot({ path: join(artifactsDir, 'editor-hover.png') });
  await page.mouse.move(0, 0);
  await undoToSaved(editor, 'project/greeter.ph');
});

test('the Problems panel lists an error, Install shows it there, and it clears when fixed', async () => {
  const editor = new EditorPage(page);
  const problems = new ProblemsPage(page);
  await editor.open('project/greeter.ph');
  await problems.show();
  await problems.empty.waitFor();
  assert.match((await problems.status.textContent()) ?? '', /⊗ 0/);
  await editor.goToLineEnd(10);
  await page.keyboard.press('Enter');
  await editor.type('tty.println(greeting);');
  await page.keyboard.press('Escape');
  await problems.waitForListed([
    { message: "unknown name 'greeting'", code: 'PH341', where: 'project/greeter.ph  11:17' },
  ]);
  assert.match((await problems.status.textContent()) ?? '', /⊗ 1/);
  await page.screenshot({ path: join(artifactsDir, 'problems-panel.png') });

  // Installing a file with errors opens the Problems panel instead of a notification.
  await problems.status.click();
  await problems.root.waitFor({ state: 'hidden' });
  const notifications = page.locator('[data-panel="notifications"] .notification');
  const before = await notifications.count();
  await page.getByTestId('editor-install').click();
  await problems.root.waitFor();
  assert.match((await editor.status.textContent()) ?? '', /Not installed: greeter\.ph has 1 error/);
  assert.equal(await notifications.count(), before, 'no notification for errors the panel shows');

  // A click on the problem puts the cursor on it.
  await problems.rows.first().click();
  await page.waitForFunction(() =>
    /^Ln 11, Col 17/.test(document.querySelector('[data-testid="editor-status"]')?.textContent ?? ''),
  );

  // The fix empties the panel as soon as the server has checked it.
  await undoToSaved(editor, 'project/greeter.ph');
  await problems.waitForListed([]);
  await problems.empty.waitFor();
  assert.match((await problems.status.textContent()) ?? '', /⊗ 0/);
  await page.screenshot({ path: join(artifactsDir, 'problems-cleared.png') });
  await problems.status.click();
});

test('Ctrl+S saves through the host into the project folder', async () => {
  const editor = new EditorPage(page);
  await editor.goToLineEnd(1);
  await page.keyboard.type(' (edited)');
  await editor.tab('project/greeter.ph').and(page.locator('.dirty')).waitFor();
  await page.keyboard.press('Control+s');
  await editor.tab('project/greeter.ph').and(page.locator(':not(.dirty)')).waitFor();
  const saved = readFileSync(join(studio.stateDir, 'project', 'greeter.ph'), 'utf8');
  assert.match(saved.split('\n')[0]!, /^\/\/ A small program of the user's own\. \(edited\)$/);
});

test('a terminal on the host runs a command; its output can be searched', async () => {
  const console = new ConsolePage(page);
  await console.newTerminal.click();
  await console.tab(/bash|sh/).waitFor();
  await console.type('echo "answer=$((6 * 7))"\r');
  await console.waitForText('answer=42', 60_000);
  await console.search.fill('answer=42');
  await page.screenshot({ path: join(artifactsDir, 'terminal.png') });
});

test('after a search the terminal follows its output again, as a terminal does', async () => {
  const console = new ConsolePage(page);
  const rows = console.visibleRows();
  await console.type('seq -f "row %g" 1 300\r');
  await console.waitForText('row 300', 60_000);
  // The search scrolls back to the earlier answer; Escape closes it and the view is at the end again.
  await console.search.fill('answer=42');
  await console.search.press('Enter');
  await console.waitForText('answer=42', 10_000);
  assert.equal(await rows.filter({ hasText: 'row 300' }).count(), 0, 'the search moved the view up');
  await console.search.press('Escape');
  await console.waitForText('row 300', 10_000);
  // Output that arrives after the search box is left is followed, though the search moved the view.
  await console.type('sleep 2; echo "late-$((20 + 22))"\r');
  await console.search.fill('answer=42');
  await console.search.press('Enter');
  await console.waitForText('answer=42', 10_000);
  await console.search.blur();
  await console.waitForText('late-42', 30_000);
  await page.screenshot({ path: join(artifactsDir, 'terminal-follows.png') });
});

test('with no machine the timeline says so, and the UI reported no errors', async () => {
  const timeline = new TimelinePage(page);
  assert.equal(await timeline.summary.textContent(), 'No machine selected');
  assert.equal(await timeline.rollback.isDisabled(), true);
  assert.deepEqual(pageErrors, []);
  // Opening, editing and checking a program, a terminal and its search broke no rule of the CSP.
  assert.deepEqual(await cspViolations(page), []);
  assert.equal(await page.locator('.notification.error').count(), 0);
});

test('a refused request shows a notification that says why, without internal codes, and the UI goes on', async () => {
  await page.getByTestId('machine-picker').selectOption({ label: 'New machine…' });
  await page.getByTestId('dialog-name').fill('no spaces allowed');
  await page.getByTestId('dialog-ok').click();
  const note = page.locator('.notification.error', {
    hasText: 'Cannot create the machine no spaces allowed',
  });
  await note.waitFor();
  assert.equal(await note.locator('.tag').textContent(), 'refused');
  // A refusal's message says why; no internal code or stack is shown for it.
  assert.equal(await note.getByText('Details').count(), 0);
  assert.doesNotMatch((await note.textContent()) ?? '', /code:|invalid-params/);
  await page.screenshot({ path: join(artifactsDir, 'notification.png') });
  await note.getByTitle('Dismiss').click();
  assert.equal(await page.locator('.notification').count(), 0);
  assert.equal(await page.getByTestId('machine-picker').isEnabled(), true);
});

test('"New machine…" offers the images of images/, each with its description', async () => {
  const bar = new MachineBarPage(page);
  await bar.openNewMachineDialog();
  const images = page.getByTestId('dialog-image');
  const offered = await images
    .locator('option')
    .evaluateAll((options) => (options as HTMLOptionElement[]).map((o) => [o.value, o.disabled]));
  assert.deepEqual(offered, [
    ['bench', false],
    ['counter', false],
    ['graph', false],
    ['notes', false],
    ['prodcons', false],
  ]);
  assert.equal(await images.inputValue(), 'counter', "the README's first example is chosen");
  const description = page.getByTestId('dialog-image-description');
  assert.match((await description.textContent()) ?? '', /^A thread that ticks every 100 ms/);
  await images.selectOption('notes');
  assert.match((await description.textContent()) ?? '', /^A list of notes kept in the root directory/);
  await page.screenshot({ path: join(artifactsDir, 'new-machine-dialog.png') });
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await page.locator('dialog.confirm-dialog[open]').count(), 0, 'the dialog closed');
});

test('the machine bar keeps one line while a build shows its progress, at 1280 px and narrower', async () => {
  const bar = new MachineBarPage(page);
  await bar.createMachine('narrow-bar', 'counter');
  try {
    for (const width of [1280, 1024, 800]) {
      await page.setViewportSize({ width, height: 860 });
      // A build that is up to date is over at once; its progress stays in the bar a few seconds.
      await bar.button('build').click();
      await bar.progress.locator('.progress[data-operation="build"]').waitFor();
      const layout = await bar.layout();
      await page.screenshot({ path: join(artifactsDir, `machine-bar-${width}.png`) });
      assert.ok(layout.progressLabels.length > 0, `at ${width} px, the build's progress is shown`);
      assert.equal(layout.pageWiderThanWindow, false, `at ${width} px, the bar does not widen the page`);
      assert.deepEqual(layout.outside, [], `at ${width} px, every control lies inside the bar`);
      assert.deepEqual(layout.wrapped, [], `at ${width} px, no control's text wraps`);
      assert.equal(layout.rows, 1, `at ${width} px, the controls stand in one row`);
      for (const label of layout.progressLabels)
        assert.equal(label.title, label.text, `at ${width} px, the progress text is whole in its title`);
    }
  } finally {
    await page.setViewportSize({ width: 1400, height: 860 });
  }
});

test('the inspector column widens by its splitter, with the arrow keys or a drag', async () => {
  const inspector = page.locator('[data-panel="inspector"]');
  const width = async () => (await inspector.boundingBox())!.width;
  const before = await width();
  const splitter = page.getByTestId('inspector-resizer');
  await splitter.focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
  assert.equal(Math.round(await width()), Math.round(before + 60));
  const box = (await splitter.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 200);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 100, box.y + 200, { steps: 5 });
  await page.mouse.up();
  // The grip is a few pixels wide: where in it the pointer took it moves the edge as much.
  const dragged = await width();
  assert.ok(Math.abs(dragged - (before + 60 - 100)) <= 5, `${before} px, then ${dragged} px after the drag`);
  await page.screenshot({ path: join(artifactsDir, 'inspector-resized.png') });
});

test('the machine bar is worked from the keyboard, with a visible focus ring', async () => {
  const bar = new MachineBarPage(page);
  await bar.createMachine('keys', 'counter');
  await bar.picker.focus();
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const e = document.activeElement as HTMLElement;
    const style = getComputedStyle(e);
    return { action: e.dataset.action ?? '', outline: `${style.outlineStyle} ${style.outlineWidth}` };
  });
  // The picked machine is stopped: Build is the first action it allows.
  assert.equal(focused.action, 'build');
  assert.equal(focused.outline, 'solid 2px');
  await page.screenshot({ path: join(artifactsDir, 'machine-bar-focus.png') });
});
