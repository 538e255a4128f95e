/** Page object for the studio's workspace: the parts a test looks at, by role and test id. */
import type { Locator, Page } from 'playwright-core';

export class StudioPage {
  readonly version: Locator;
  readonly mode: Locator;

  constructor(readonly page: Page) {
    this.version = page.getByTestId('studio-version');
    this.mode = page.getByTestId('studio-mode');
  }

  async open(urlWithToken: string): Promise<void> {
    await this.page.goto(urlWithToken);
    await this.page.locator('body[data-ready="true"]').waitFor();
  }

  panel(name: 'machine-bar' | 'explorer' | 'editor' | 'inspector' | 'console' | 'timeline'): Locator {
    return this.page.locator(`[data-panel="${name}"]`);
  }
}
