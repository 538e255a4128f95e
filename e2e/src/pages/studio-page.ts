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
    // Generous: the machines these tests run on are shared and often loaded.
    await this.page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
  }

  panel(name: 'machine-bar' | 'explorer' | 'editor' | 'inspector' | 'console' | 'timeline'): Locator {
    return this.page.locator(`[data-panel="${name}"]`);
  }
}
