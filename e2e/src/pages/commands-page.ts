/** Page objects for the command palette and the help page, and for where the focus is. */
import type { Locator, Page } from 'playwright-core';

export class CommandPalettePage {
  readonly dialog: Locator;
  readonly input: Locator;
  readonly items: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByTestId('command-palette');
    this.input = page.getByTestId('palette-input');
    this.items = page.getByTestId('palette-item');
  }

  /** Opens the palette with its key, types `text` and runs the first command that matches. */
  async run(text: string): Promise<void> {
    await this.page.keyboard.press('Control+Shift+P');
    await this.input.waitFor();
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
    await this.dialog.waitFor({ state: 'hidden' });
  }
}

export class HelpPage {
  readonly dialog: Locator;
  readonly shortcuts: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByTestId('help-page');
    this.shortcuts = page.getByTestId('help-shortcuts');
  }
}

/** The studio part (data-panel) that has the focus, or '' when none does. */
export function focusedPart(page: Page): Promise<string> {
  return page.evaluate(
    () => document.activeElement?.closest<HTMLElement>('[data-panel]')?.dataset.panel ?? '',
  );
}
