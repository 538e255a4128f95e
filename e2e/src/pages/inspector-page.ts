/** Page object for the inspector's views (in the harness page or mounted in the studio). */
import type { Locator, Page } from 'playwright-core';

export class InspectorPage {
  readonly root: Locator;
  readonly status: Locator;
  readonly panes: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('inspector');
    this.status = page.getByTestId('inspector-status');
    this.panes = page.getByTestId('inspector-pane');
  }

  summaryRow(className: string): Locator {
    return this.page.getByTestId('inspector-summary').locator(`tr[data-class="${className}"]`);
  }

  /** The count cell of a class's summary row. */
  async count(className: string): Promise<number> {
    return Number((await this.summaryRow(className).locator('td').nth(1).textContent())?.replace(/,/g, ''));
  }

  tab(name: 'summary' | 'threads' | 'diff' | 'graph'): Locator {
    return this.page.getByTestId(`inspector-tab-${name}`);
  }

  async search(text: string): Promise<void> {
    await this.page.getByTestId('inspector-search').fill(text);
    await this.page.getByTestId('inspector-search').press('Enter');
  }

  async compareWith(generation: number): Promise<void> {
    await this.page.getByTestId('inspector-compare').selectOption(String(generation));
  }

  async showGeneration(generation: number): Promise<void> {
    await this.page.getByTestId('inspector-generation').selectOption(String(generation));
  }
}
