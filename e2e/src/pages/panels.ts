/**
 * Page objects for the studio's panels: the machine bar, the console, the editor, the Problems
 * panel and the timeline. Each knows its panel's parts by role and test id, and offers what a user does.
 */
import type { Locator, Page } from 'playwright-core';

/** Generous: a boot under TCG on a loaded machine takes tens of seconds. */
export const MACHINE_DEADLINE_MS = 180_000;

export class MachineBarPage {
  readonly picker: Locator;
  readonly state: Locator;
  readonly progress: Locator;

  constructor(readonly page: Page) {
    this.picker = page.getByTestId('machine-picker');
    this.state = page.getByTestId('machine-state');
    this.progress = page.getByTestId('progress');
  }

  button(action: 'build' | 'start' | 'stop' | 'powerCut' | 'snapshotNow' | 'checkpoint'): Locator {
    return this.page.locator(`[data-panel="machine-bar"] button[data-action="${action}"]`);
  }

  /** The "New machine…" dialog, open. */
  async openNewMachineDialog(): Promise<void> {
    await this.picker.selectOption({ label: 'New machine…' });
    await this.page.getByTestId('dialog-name').waitFor();
  }

  /** Creates machine `name` from image `image` (images/IMAGE.json) through the dialog. */
  async createMachine(name: string, image: string): Promise<void> {
    await this.openNewMachineDialog();
    await this.page.getByTestId('dialog-name').fill(name);
    await this.page.getByTestId('dialog-image').selectOption(image);
    await this.page.getByTestId('dialog-ok').click();
    await this.waitForState('stopped');
  }

  async waitForState(...states: string[]): Promise<void> {
    await this.page
      .locator(states.map((s) => `[data-testid="machine-state"][data-state="${s}"]`).join(', '))
      .first()
      .waitFor({ timeout: MACHINE_DEADLINE_MS });
  }

  /**
   * How the bar's controls lie: those reaching outside the bar, those whose text wraps (taller
   * than one line), how many distinct rows they stand in, each progress label's text and title,
   * and whether the page grew wider than the window.
   */
  async layout(): Promise<{
    pageWiderThanWindow: boolean;
    outside: string[];
    wrapped: string[];
    rows: number;
    progressLabels: { text: string; title: string }[];
  }> {
    return this.page.locator('[data-panel="machine-bar"]').evaluate((bar) => {
      const box = bar.getBoundingClientRect();
      const controls = [...bar.querySelectorAll<HTMLElement>('button, select, .machine-state, .progress')];
      const name = (e: HTMLElement) => e.dataset.action ?? e.dataset.testid ?? e.className;
      const lineHeight = (e: HTMLElement) => Number.parseFloat(getComputedStyle(e).lineHeight) || 16;
      const visible = controls.filter((e) => e.getClientRects().length > 0);
      return {
        // The bar spans the page's grid: wider than the window, it would have widened the page.
        pageWiderThanWindow: box.right > window.innerWidth,
        outside: visible
          .filter((e) => {
            const r = e.getBoundingClientRect();
            return r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom;
          })
          .map(name),
        wrapped: visible
          .filter((e) => e.tagName === 'BUTTON' && e.clientHeight > 2 * lineHeight(e))
          .map(name),
        // Centres more than 10 px apart start another row.
        rows: visible
          .map((e) => {
            const r = e.getBoundingClientRect();
            return (r.top + r.bottom) / 2;
          })
          .sort((a, b) => a - b)
          .filter((centre, i, centres) => i === 0 || centre - centres[i - 1]! > 10).length,
        progressLabels: [...bar.querySelectorAll<HTMLElement>('.progress-label')].map((e) => ({
          text: e.textContent ?? '',
          title: e.title,
        })),
      };
    });
  }

  /** Cuts the power, confirming in the dialog that asks first. */
  async powerCut(): Promise<void> {
    await this.button('powerCut').click();
    await this.page.getByTestId('power-cut-confirm').click();
  }

  async checkpoint(name: string): Promise<void> {
    await this.button('checkpoint').click();
    await this.page.getByTestId('dialog-name').fill(name);
    await this.page.getByTestId('dialog-ok').click();
  }
}

export class ConsolePage {
  readonly root: Locator;
  readonly newTerminal: Locator;
  readonly search: Locator;
  readonly searchCount: Locator;
  readonly filter: Locator;
  readonly menu: Locator;
  readonly log: Locator;
  readonly logStatus: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator('[data-panel="console"]');
    this.newTerminal = page.getByTestId('new-terminal');
    this.search = page.getByTestId('console-search');
    this.searchCount = page.getByTestId('console-search-count');
    this.filter = page.getByTestId('console-filter');
    this.menu = page.getByTestId('console-menu');
    this.log = page.getByTestId('console-log');
    this.logStatus = page.getByTestId('console-log-status');
  }

  /** The rows the log view (the machine's log on disk) has drawn. */
  logRows(): Locator {
    return this.log.locator('.xterm-rows');
  }

  tab(title: string | RegExp): Locator {
    return this.root.getByRole('tab', { name: title });
  }

  /** The rows xterm.js has drawn in the visible tab. */
  visibleRows(): Locator {
    return this.root.locator('.terminal-body:not([hidden]) .xterm-rows');
  }

  /**
   * Scrolls the shown terminal to its end by dragging its scrollbar's slider past the bottom, as
   * a user would. Not the wheel: xterm.js scrolls a few lines per wheel event whatever its delta,
   * so from the top of a long scroll-back (where a search leaves it) a wheel barely moves it.
   */
  async scrollToEnd(): Promise<void> {
    const bar = this.root.locator(
      '.terminal-body:not([hidden]) .xterm-scrollable-element > .scrollbar.vertical',
    );
    const track = await bar.boundingBox();
    const slider = await bar.locator('.slider').boundingBox();
    if (!track || !slider) return;
    const x = slider.x + slider.width / 2;
    await this.page.mouse.move(x, slider.y + slider.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(x, track.y + track.height + slider.height, { steps: 4 });
    await this.page.mouse.up();
  }

  /** The console's menu, opened with a right click into the shown terminal. */
  async openMenu(): Promise<void> {
    await this.root.locator('.terminal-body:not([hidden]) .xterm-screen').click({ button: 'right' });
    await this.menu.waitFor();
  }

  async waitForText(text: string | RegExp, timeout = MACHINE_DEADLINE_MS): Promise<void> {
    await this.visibleRows().filter({ hasText: text }).waitFor({ timeout });
  }

  async type(text: string): Promise<void> {
    await this.root.locator('.terminal-body:not([hidden]) .xterm-helper-textarea').focus();
    await this.page.keyboard.type(text);
  }
}

export class EditorPage {
  readonly root: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator('[data-panel="editor"]');
    this.status = page.getByTestId('editor-status');
  }

  async open(file: string): Promise<void> {
    await this.page.locator(`[data-panel="explorer"] [data-file="${file}"]`).click();
    await this.root.locator(`.tab[data-file="${file}"].active`).waitFor();
    await this.root.locator('.monaco-editor .view-lines').waitFor();
  }

  /**
   * Gives the editor the keyboard as a user does, with a click into its text (focusing Monaco's
   * textarea would not do: Chromium's EditContext input takes the keys, and the textarea would
   * handle Enter or Ctrl+Z natively).
   */
  async focus(): Promise<void> {
    await this.root.locator('.monaco-editor .editor-scrollable').click({ position: { x: 40, y: 10 } });
  }

  /** Puts the cursor at the end of `line` (1-based) through Monaco's own "go to line". */
  async goToLineEnd(line: number): Promise<void> {
    await this.focus();
    await this.page.keyboard.press('Control+g');
    await this.page.keyboard.type(String(line));
    await this.page.keyboard.press('Enter');
    // Keys pressed before "go to line" has closed and handed the editor back would be lost.
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await this.page.keyboard.press('End');
  }

  errorSquiggles(): Locator {
    return this.root.locator('.monaco-editor .squiggly-error');
  }

  tab(file: string): Locator {
    return this.root.locator(`.tab[data-file="${file}"]`);
  }

  /** Types at the cursor as a user does (Monaco's completion pops up after a `.`). */
  async type(text: string): Promise<void> {
    await this.page.keyboard.type(text, { delay: 30 });
  }

  /** The labels of the completion list Monaco shows, once it shows some. */
  async suggestions(): Promise<string[]> {
    const rows = this.page.locator('.suggest-widget .monaco-list-row');
    await rows.first().waitFor({ timeout: 30_000 });
    return rows.evaluateAll((items) => items.map((i) => i.querySelector('.label-name')?.textContent ?? ''));
  }

  /** Hovers over the topmost `word` in the editor's text and returns the hover's text. */
  async hoverOver(word: string): Promise<string> {
    // Monaco draws a line as a few spans (one per colour), in no particular order of lines, so
    // the word is found in the text nodes and the highest on screen is taken.
    const box = await this.root.locator('.monaco-editor .view-lines').evaluate((lines, wanted) => {
      const walker = document.createTreeWalker(lines, NodeFilter.SHOW_TEXT);
      let best: { x: number; y: number; width: number; height: number } | null = null;
      for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
        const at = node.textContent?.indexOf(wanted) ?? -1;
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + wanted.length);
        const r = range.getBoundingClientRect();
        if (best === null || r.y < best.y) best = { x: r.x, y: r.y, width: r.width, height: r.height };
      }
      return best;
    }, word);
    if (!box) throw new Error(`no ${word} in the editor`);
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first();
    // Monaco shows a hover once the pointer comes to rest over a word, and hides it when the
    // markers change under it (new diagnostics arriving): come again until it stays.
    for (let attempt = 1; ; attempt++) {
      await this.page.mouse.move(box.x - 30, box.y + box.height / 2);
      await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
      try {
        await hover.waitFor({ timeout: 5_000 });
        return (await hover.textContent()) ?? '';
      } catch (err) {
        if (attempt === 6) throw err;
      }
    }
  }
}

/** The Problems panel under the editor, and its count in the status bar. */
export class ProblemsPage {
  readonly root: Locator;
  readonly status: Locator;
  readonly rows: Locator;
  readonly empty: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('problems');
    this.status = page.getByTestId('problems-status');
    this.rows = this.root.getByTestId('problem');
    this.empty = this.root.locator('.problems-empty');
  }

  /** Opens the panel from the status bar, if it is not open. */
  async show(): Promise<void> {
    if (!(await this.root.isVisible())) await this.status.click();
    await this.root.waitFor();
  }

  /**
   * Waits until the panel lists exactly `expected` (it follows the server's diagnostics of each
   * version typed, so what it shows while typing goes on is not yet the answer).
   */
  async waitForListed(expected: { message: string; code: string; where: string }[], timeout = 30_000) {
    const deadline = Date.now() + timeout;
    let listed = await this.listed();
    while (JSON.stringify(listed) !== JSON.stringify(expected)) {
      if (Date.now() > deadline)
        throw new Error(
          `the Problems panel lists ${JSON.stringify(listed)}, not ${JSON.stringify(expected)}`,
        );
      await this.page.waitForTimeout(100);
      listed = await this.listed();
    }
  }

  /** Each problem as the panel shows it: message, code and where. */
  async listed(): Promise<{ message: string; code: string; where: string }[]> {
    return this.rows.evaluateAll((items) =>
      items.map((i) => ({
        message: i.querySelector('.problem-message')?.textContent ?? '',
        code: i.querySelector('.problem-code')?.textContent ?? '',
        where: i.querySelector('.problem-where')?.textContent ?? '',
      })),
    );
  }
}

export class TimelinePage {
  readonly root: Locator;
  readonly canvas: Locator;
  readonly summary: Locator;
  readonly tooltip: Locator;
  readonly selection: Locator;
  readonly rollback: Locator;
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator('[data-panel="timeline"]');
    this.canvas = page.getByTestId('timeline-canvas');
    this.summary = page.getByTestId('timeline-summary');
    this.tooltip = page.getByTestId('timeline-tooltip');
    this.selection = page.getByTestId('timeline-selection');
    this.rollback = page.getByTestId('rollback');
    this.dialog = page.getByTestId('rollback-dialog');
  }

  /**
   * Moves the pointer along a lane (branch) from `fromFraction` of the width until the tooltip
   * shows a generation (one whose tooltip matches `wanted`, when given), and returns where it did
   * (page coordinates).
   */
  async hoverGeneration(fromFraction = 0, wanted?: RegExp, lane = 0): Promise<{ x: number; y: number }> {
    const box = (await this.canvas.boundingBox())!;
    const y = box.y + 58 + lane * 22;
    return this.hoverAlong(y, box.x + box.width * fromFraction, wanted, `generation on lane ${lane}`);
  }

  /** Moves the pointer along the checkpoint row until the tooltip shows checkpoint `name`. */
  async hoverCheckpoint(name: string): Promise<{ x: number; y: number }> {
    const box = (await this.canvas.boundingBox())!;
    return this.hoverAlong(box.y + 36, box.x, new RegExp(`Checkpoint "${name}"`), `checkpoint ${name}`);
  }

  private async hoverAlong(y: number, fromX: number, wanted: RegExp | undefined, what: string) {
    const box = (await this.canvas.boundingBox())!;
    for (let x = fromX; x < box.x + box.width; x += 3) {
      await this.page.mouse.move(x, y);
      if (
        (await this.tooltip.isVisible()) &&
        (!wanted || wanted.test((await this.tooltip.textContent()) ?? ''))
      )
        return { x, y };
    }
    throw new Error(`no ${what} under the pointer anywhere along the timeline`);
  }
}
