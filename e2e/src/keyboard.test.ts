/**
 * The studio from the keyboard, as in VS Code, with no machine: the command palette (every
 * command, with its keys) and the help page; F6 between the parts; Tab in the editor, which
 * inserts a tab until Ctrl+M (shown in the status bar) makes it move the focus; and the
 * console's find with a count of matches, copy by keys and from its menu (opened by Shift+F10).
 * Screenshots go to artifacts/e2e/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { COMMANDS } from '@phantom/shell/common/commands.js';
import type { Page } from 'playwright-core';
import { artifactsDir, cspViolations } from './fixtures.js';
import { CommandPalettePage, focusedPart, HelpPage } from './pages/commands-page.js';
import { ConsolePage, EditorPage } from './pages/panels.js';
import { openStudioSession, type StudioSession } from './studio-session.js';

const program = `// A program to edit.
package .mine;

class greeter {
  void run() {
  }
};
`;

let session: StudioSession | undefined;
let page: Page;
let pageErrors: string[] = [];

before(async () => {
  session = await openStudioSession({
    projectFiles: { 'greeter.ph': program },
    viewport: { width: 1400, height: 860 },
    clipboard: true,
  });
  ({ page, pageErrors } = session);
});

after(() => session?.close());

test('the command palette lists every command with its keys, filters as you type, runs one', async () => {
  const palette = new CommandPalettePage(page);
  await page.keyboard.press('Control+Shift+P');
  await palette.input.waitFor();
  assert.equal(await palette.items.count(), COMMANDS.length, 'every command is listed');
  const paletteRow = palette.items.and(page.locator('[data-command="palette.show"]'));
  assert.deepEqual(await paletteRow.locator('kbd').allTextContents(), ['Ctrl+Shift+P', 'F1']);
  await page.keyboard.type('find');
  assert.match((await palette.items.first().textContent()) ?? '', /^Console: FindCtrl\+F/);
  await page.screenshot({ path: join(artifactsDir, 'command-palette.png') });
  await page.keyboard.press('Escape');
  await palette.dialog.waitFor({ state: 'hidden' });
  // F1 opens it too; a machine command with no machine says why it cannot run.
  await page.keyboard.press('F1');
  await page.keyboard.type('machine: start');
  const start = palette.items.first();
  assert.equal(await start.getAttribute('aria-disabled'), 'true');
  assert.match((await start.textContent()) ?? '', /pick a machine in the machine bar first/);
  await page.keyboard.press('Escape');
});

test('the help page lists every shortcut and says how the parts work', async () => {
  const help = new HelpPage(page);
  await page.keyboard.press('Shift+F1');
  await help.dialog.waitFor();
  assert.equal(await help.shortcuts.locator('tr[data-command]').count(), COMMANDS.length);
  assert.match((await help.shortcuts.locator('tr[data-command="focus.next"]').textContent()) ?? '', /F6/);
  assert.match((await help.dialog.textContent()) ?? '', /Ctrl\+M/);
  await page.screenshot({ path: join(artifactsDir, 'help-page.png') });
  await page.keyboard.press('Escape');
  await help.dialog.waitFor({ state: 'hidden' });
  // And from the palette.
  await new CommandPalettePage(page).run('help: keyboard');
  await help.dialog.waitFor();
  await page.keyboard.press('Escape');
});

test('F6 and Shift+F6 move between the parts of the studio', async () => {
  await page.getByTestId('machine-picker').focus();
  const seen = [await focusedPart(page)];
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('F6');
    await page
      .waitForFunction(
        (before) => document.activeElement?.closest<HTMLElement>('[data-panel]')?.dataset.panel !== before,
        seen.at(-1),
        { timeout: 15_000 },
      )
      .catch((err: Error) => {
        throw new Error(`F6 did not leave ${seen.at(-1)} (so far: ${seen.join(', ')}): ${err.message}`);
      });
    seen.push(await focusedPart(page));
  }
  assert.deepEqual(seen, ['machine-bar', 'explorer', 'debug', 'editor', 'inspector', 'console', 'timeline']);
  await page.keyboard.press('Shift+F6');
  await page.waitForFunction(
    () => document.activeElement?.closest<HTMLElement>('[data-panel]')?.dataset.panel === 'console',
  );
});

test('Tab in the editor inserts a tab until Ctrl+M; F6 leaves the editor either way', async () => {
  const editor = new EditorPage(page);
  await editor.open('project/greeter.ph');
  await editor.goToLineEnd(5);
  await page.keyboard.press('Tab');
  assert.equal(await focusedPart(page), 'editor', 'Tab inserts a tab, as in VS Code');
  assert.match((await editor.root.locator('.view-line').nth(4).textContent()) ?? '', /\{\s+$/);
  const mode = page.getByTestId('tab-mode');
  assert.equal(await mode.textContent(), 'Tab: inserts');
  await page.keyboard.press('F6');
  await page.waitForFunction(() => document.activeElement?.closest('[data-panel="editor"]') === null);
  assert.equal(await focusedPart(page), 'inspector');
  // Back in the editor, Ctrl+M makes Tab move the focus, and the status bar says so.
  await page.keyboard.press('Control+1');
  await page.waitForFunction(() => document.activeElement?.closest('[data-panel="editor"]') !== null);
  await page.keyboard.press('Control+m');
  await mode.filter({ hasText: 'Tab: moves focus' }).waitFor();
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => document.activeElement?.closest('.monaco-editor') === null);
  await page.screenshot({ path: join(artifactsDir, 'editor-tab-moves-focus.png') });
  await mode.click();
  await mode.filter({ hasText: 'Tab: inserts' }).waitFor();
});

test('the console: find counts its matches; copy by keys and from the menu, opened by Shift+F10', async () => {
  const console = new ConsolePage(page);
  await page.keyboard.press('Control+Shift+`');
  await console.tab(/bash|sh/).waitFor();
  await console.type('seq 1 3000; echo "all done"\r');
  await console.waitForText('all done', 60_000);
  // Find: Ctrl+F from the terminal, and the count beside the box.
  await page.keyboard.press('Control+f');
  assert.equal(
    await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
    'console-search',
  );
  await page.keyboard.type('2999');
  await page.keyboard.press('Enter');
  await console.searchCount.filter({ hasText: /^1 of 1$/ }).waitFor();
  await console.search.fill('');
  await console.search.pressSequentially('99');
  await page.keyboard.press('Enter');
  await console.searchCount.filter({ hasText: /^\d+ of \d+$/ }).waitFor();
  const total = Number((await console.searchCount.textContent())!.match(/of (\d+)/)![1]);
  assert.ok(total > 50, `${total} matches of "99" in 1..3000`);
  await page.screenshot({ path: join(artifactsDir, 'console-find-count.png') });
  await page.keyboard.press('Escape');
  assert.equal(await console.searchCount.textContent(), '');
  // Copy: select all and copy, by keys; the clipboard has the output.
  await page.keyboard.press('Control+Shift+A');
  await page.keyboard.press('Control+Shift+C');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /\n2999\s*\n3000\s*\n/);
  // The menu, by keyboard: Shift+F10, arrows, Enter.
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.keyboard.press('Shift+F10');
  await console.menu.waitFor();
  assert.deepEqual(
    (await console.menu.getByTestId('console-menu-item').locator('span').allTextContents()).slice(0, 3),
    ['Copy', 'Copy all', 'Select all'],
  );
  await page.screenshot({ path: join(artifactsDir, 'console-menu.png') });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await console.menu.waitFor({ state: 'hidden' });
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /all done/);
  // A host terminal has no log on disk: its filter is off, and says why in its title.
  assert.equal(await console.filter.isDisabled(), true);
});

test('no page error, and the CSP refused nothing', async () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(await cspViolations(page), []);
});
