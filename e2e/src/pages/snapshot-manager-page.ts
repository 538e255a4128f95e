/**
 * Page objects for the snapshot manager (the dialog with the tree of branches and checkpoints,
 * opened from the timeline) and for the notifications, whose undo and info toasts it uses.
 */
import type { Locator, Page } from 'playwright-core';

/** Dialogs and toasts appear at once; anything slower than this is a failure, not a wait. */
export const UI_DEADLINE_MS = 15_000;

export class SnapshotManagerPage {
  readonly open: Locator;
  readonly dialog: Locator;
  readonly tree: Locator;
  readonly details: Locator;
  readonly name: Locator;
  readonly description: Locator;

  constructor(readonly page: Page) {
    this.open = page.getByTestId('snapshots-open');
    this.dialog = page.getByTestId('snapshot-manager');
    this.tree = page.getByTestId('snapshot-tree');
    this.details = page.getByTestId('snapshot-details');
    this.name = page.getByTestId('snapshot-name');
    this.description = page.getByTestId('snapshot-description');
  }

  /** Opens the manager from the keyboard: the timeline's "Snapshots…" button, focused, then Enter. */
  async openByKeyboard(): Promise<void> {
    await this.open.focus();
    await this.page.keyboard.press('Enter');
    await this.tree.waitFor({ timeout: UI_DEADLINE_MS });
  }

  rows(): Locator {
    return this.tree.getByRole('treeitem');
  }

  checkpoint(name: string): Locator {
    return this.tree.locator(`[role="treeitem"][data-kind="checkpoint"][data-name="${name}"]`);
  }

  here(): Locator {
    return this.tree.locator('[role="treeitem"][data-kind="here"]');
  }

  branches(): Locator {
    return this.tree.locator('[role="treeitem"][data-kind="branch"]');
  }

  /** The tree row that has the keyboard focus (aria-selected). */
  focused(): Locator {
    return this.tree.locator('[role="treeitem"][aria-selected="true"]');
  }

  /** Moves the tree's focus with the arrow keys until the checkpoint row `name` has it. */
  async focusCheckpoint(name: string): Promise<void> {
    await this.tree.focus();
    const count = await this.rows().count();
    await this.page.keyboard.press('Home');
    for (let i = 0; i < count; i++) {
      if ((await this.focused().getAttribute('data-name')) === name) return;
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`no checkpoint row '${name}' reached with the arrow keys`);
  }

  /**
   * Takes a checkpoint from the manager's own form: a name and a description. Resolves once the
   * manager shows it, focused (it focuses a checkpoint it has just taken).
   */
  async take(name: string, description: string, timeout: number): Promise<void> {
    await this.page.getByTestId('snapshot-take').click();
    await this.page.getByTestId('snapshot-take-name').fill(name);
    await this.page.getByTestId('snapshot-take-description').fill(description);
    await this.page.getByTestId('snapshot-take-ok').click();
    await this.checkpoint(name).and(this.focused()).waitFor({ timeout });
  }

  /** Closes it with Escape from the tree, as a keyboard user would. */
  async close(): Promise<void> {
    await this.tree.focus();
    await this.page.keyboard.press('Escape');
    await this.dialog.waitFor({ state: 'hidden', timeout: UI_DEADLINE_MS });
  }
}

export class NotificationsPage {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator('[data-panel="notifications"]');
  }

  errors(): Locator {
    return this.root.locator('.notification.error');
  }

  infos(): Locator {
    return this.root.locator('.notification.info');
  }

  withText(text: string | RegExp): Locator {
    return this.root.locator('.notification', { hasText: text });
  }

  /** Closes every notification; one that goes by itself meanwhile (news does) is not waited for. */
  async dismissAll(): Promise<void> {
    const close = this.root.locator('.notification .close');
    for (let tries = 0; tries < 20 && (await close.count()) > 0; tries++)
      await close
        .first()
        .click({ timeout: 2000 })
        .catch(() => undefined);
  }
}
