/**
 * The debugger as a user sees it: the "Run and debug" panel (status, replay banner, call stack,
 * variables, output) and what the editor shows of it (breakpoints in the gutter, the stopped
 * line). Used by the debugger's journeys; the keys are pressed by the tests themselves.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { artifactsDir } from '../fixtures.js';
import { MACHINE_DEADLINE_MS } from './panels.js';

export class DebuggerPage {
  readonly status: Locator;
  readonly output: Locator;
  readonly variables: Locator;
  readonly frames: Locator;
  readonly replayBanner: Locator;
  readonly endReplay: Locator;
  private readonly editor: Locator;

  constructor(readonly page: Page) {
    this.status = page.getByTestId('debug-status');
    this.output = page.getByTestId('debug-output');
    this.variables = page.getByTestId('debug-variables');
    this.frames = page.getByTestId('debug-frame');
    this.replayBanner = page.getByTestId('debug-replay-banner');
    this.endReplay = page.getByTestId('debug-end-replay');
    this.editor = page.locator('[data-panel="editor"] .monaco-editor');
  }

  /** The breakpoint markers the editor's gutter draws. */
  glyphs(): Locator {
    return this.page.locator('[data-panel="editor"] .breakpoint-glyph');
  }

  /**
   * Scrolls the editor until `line` (1-based) is drawn well inside it: Monaco draws only the lines
   * in view (and a few past its edges, under the sticky header or the panel below).
   */
  async showLine(line: number): Promise<Locator> {
    const number = this.editor.locator('.line-numbers').filter({ hasText: new RegExp(`^\\s*${line}\\s*$`) });
    // The editor, not its lines: Playwright scrolls what it hovers into view, and the lines' layer
    // is far wider than the editor, so hovering it would scroll the text sideways under the gutter.
    await this.editor.hover();
    for (let turns = 0; turns < 40; turns++) {
      const view = (await this.editor.boundingBox())!;
      const box = (await number.count()) > 0 ? await number.first().boundingBox() : null;
      // Below the sticky header's lines, above the horizontal scrollbar.
      if (box && box.y >= view.y + 3 * box.height && box.y + box.height <= view.y + view.height - box.height)
        break;
      const below = !box || box.y > view.y + view.height / 2;
      const first = Number((await this.editor.locator('.line-numbers').first().textContent())?.trim());
      await this.page.mouse.wheel(0, box ? (below ? 60 : -60) : line > first ? 120 : -120);
    }
    return number;
  }

  /** Clicks the editor's glyph margin beside `line` (1-based), as a user sets a breakpoint. */
  async clickGutter(line: number): Promise<void> {
    const box = await (await this.showLine(line)).boundingBox();
    const top = box ? box.y + box.height / 2 : null;
    const margin = await this.editor.locator('.glyph-margin').boundingBox();
    assert.ok(top !== null && margin, `line ${line} and the glyph margin are drawn`);
    await this.page.mouse.click(margin.x + margin.width / 2, top);
  }

  /** The value a variable row shows, by the names from the scope down (`Arguments`, `this`, `count`). */
  variable(...path: string[]): Locator {
    let at = this.variables;
    for (const name of path) at = at.locator(`li[data-name="${name}"]`).first();
    return at.locator(':scope > .debug-row [data-testid="debug-variable-value"]');
  }

  /** Waits until the status says a thread stopped for `reason` (a regular expression's text). */
  async stoppedAt(reason: string, timeout = MACHINE_DEADLINE_MS): Promise<void> {
    await this.status.filter({ hasText: new RegExp(`^Stopped \\(${reason}\\)`) }).waitFor({ timeout });
  }

  /** The line the editor marks as the stopped frame's. */
  async currentLine(): Promise<number> {
    await this.page.locator('[data-panel="editor"] .debug-current-glyph').waitFor({ timeout: 60_000 });
    return this.editor.evaluate((root) => {
      const glyph = root.querySelector<HTMLElement>('.debug-current-glyph')!;
      const top = glyph.getBoundingClientRect().top;
      const number = [...root.querySelectorAll<HTMLElement>('.line-numbers')].find(
        (n) => Math.abs(n.getBoundingClientRect().top - top) < 3,
      );
      return Number(number?.textContent?.trim());
    });
  }

  /** A replay's position (instructions since its generation), as the status names it. */
  async position(): Promise<number> {
    const m = /position (\d+)/.exec((await this.status.textContent()) ?? '');
    assert.ok(m, `the status names the replay's position: ${await this.status.textContent()}`);
    return Number(m[1]);
  }

  /**
   * What a failed step of a debugger journey leaves: a screenshot and a report (the debugger's
   * status and output, the notifications, the host's last output) in artifacts/e2e/`prefix`-*.
   */
  async reportFailure(prefix: string, step: string, err: unknown, hostOutput: string): Promise<void> {
    const slug = step.replace(/[^a-z0-9]+/gi, '-').slice(0, 50);
    await this.page.screenshot({ path: join(artifactsDir, `${prefix}-${slug}.png`) }).catch(() => undefined);
    const text = async (l: Locator) => (await l.allTextContents().catch(() => [])).join('\n');
    writeFileSync(
      join(artifactsDir, `${prefix}-${slug}.txt`),
      [
        `step: ${step}`,
        `error: ${(err as Error).stack ?? String(err)}`,
        `debugger: ${await text(this.status)}`,
        '== debugger output ==',
        await text(this.output),
        '== notifications ==',
        await text(this.page.locator('.notification')),
        '== studio host output ==',
        hostOutput.split('\n').slice(-60).join('\n'),
      ].join('\n'),
    );
  }
}
