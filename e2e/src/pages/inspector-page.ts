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

  tab(name: 'summary' | 'threads' | 'diff' | 'graph' | 'memory'): Locator {
    return this.page.getByTestId(`inspector-tab-${name}`);
  }

  async search(text: string): Promise<void> {
    await this.page.getByTestId('inspector-search').fill(text);
    await this.page.getByTestId('inspector-search').press('Enter');
  }

  /** Types into the search box as a user does, without pressing Enter. */
  async typeSearch(text: string): Promise<void> {
    await this.page.getByTestId('inspector-search').fill('');
    await this.page.getByTestId('inspector-search').pressSequentially(text);
  }

  /** The top level of the retainers tree in an object pane. */
  retainers(pane: Locator): Locator {
    return pane.getByTestId('inspector-retainers').locator(':scope > li[role="treeitem"]');
  }

  /** The diff's "reachable only" checkbox. */
  get reachableOnly(): Locator {
    return this.page.getByTestId('diff-reachable-only');
  }

  /** The diff's count of one kind (added, removed, changed) for a class, 0 where none. */
  async diffCount(className: string, kind: 'added' | 'removed' | 'changed'): Promise<number> {
    const row = this.page.getByTestId('inspector-diff').locator(`tr[data-class="${className}"]`);
    if ((await row.count()) === 0) return 0;
    const cell = row.locator(`[data-kind="${kind}"]`);
    return (await cell.count()) === 0 ? 0 : Number(await cell.textContent());
  }

  async compareWith(generation: number): Promise<void> {
    await this.page.getByTestId('inspector-compare').selectOption(String(generation));
  }

  async showGeneration(generation: number): Promise<void> {
    await this.page.getByTestId('inspector-generation').selectOption(String(generation));
  }
}
