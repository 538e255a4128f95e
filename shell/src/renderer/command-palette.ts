/**
 * The command palette (Ctrl+Shift+P or F1, as in VS Code): every command of the studio with its
 * keys, filtered as you type (common/commands.ts ranks them), chosen with the arrows and Enter
 * or the pointer. Commands that cannot run now stay listed, greyed, with the reason.
 */
import { rankCommands } from '../common/commands.js';
import type { Commands } from './commands.js';

export class CommandPalette {
  private readonly dialog: HTMLDialogElement;
  private readonly input: HTMLInputElement;
  private readonly list: HTMLElement;
  private shown: { id: string; disabled: boolean }[] = [];
  private active = 0;
  /** What had the focus before the palette opened: it gets it back when the palette closes unused. */
  private returnFocus: HTMLElement | null = null;

  constructor(private readonly commands: Commands) {
    this.dialog = document.createElement('dialog');
    this.dialog.className = 'command-palette';
    this.dialog.dataset.testid = 'command-palette';
    this.dialog.setAttribute('aria-label', 'Command palette');
    this.input = document.createElement('input');
    this.input.type = 'text';
    this.input.placeholder = 'Type a command (↑↓ to choose, Enter to run, Esc to close)';
    this.input.setAttribute('role', 'combobox');
    this.input.setAttribute('aria-controls', 'command-palette-list');
    this.input.setAttribute('aria-expanded', 'true');
    this.input.dataset.testid = 'palette-input';
    this.list = document.createElement('ul');
    this.list.id = 'command-palette-list';
    this.list.setAttribute('role', 'listbox');
    this.dialog.append(this.input, this.list);
    document.body.append(this.dialog);
    this.input.addEventListener('input', () => this.render(0));
    this.input.addEventListener('keydown', (event) => this.key(event));
    this.dialog.addEventListener('close', () => {
      if (this.returnFocus?.isConnected) this.returnFocus.focus();
      this.returnFocus = null;
    });
    this.dialog.addEventListener('click', (event) => {
      if (event.target === this.dialog) this.dialog.close();
    });
  }

  toggle(): void {
    if (this.dialog.open) this.dialog.close();
    else this.open();
  }

  open(): void {
    this.returnFocus = document.activeElement as HTMLElement | null;
    this.input.value = '';
    this.render(0);
    this.dialog.showModal();
    this.input.focus();
  }

  private render(active: number): void {
    const entries = new Map(this.commands.entries().map((e) => [e.id, e]));
    const ranked = rankCommands(this.input.value).map((c) => entries.get(c.id)!);
    this.shown = ranked.map((e) => ({ id: e.id, disabled: e.unavailable !== undefined }));
    this.list.replaceChildren(
      ...ranked.map((entry, i) => {
        const item = document.createElement('li');
        item.id = `command-${entry.id.replace(/\./g, '-')}`;
        item.setAttribute('role', 'option');
        item.dataset.testid = 'palette-item';
        item.dataset.command = entry.id;
        if (entry.unavailable) {
          item.setAttribute('aria-disabled', 'true');
          item.title = entry.unavailable;
        }
        const title = document.createElement('span');
        title.className = 'palette-title';
        title.textContent = entry.title;
        item.append(title);
        if (entry.unavailable) {
          const why = document.createElement('span');
          why.className = 'palette-why';
          why.textContent = entry.unavailable;
          item.append(why);
        }
        for (const k of entry.keys ?? []) {
          const kbd = document.createElement('kbd');
          kbd.textContent = k;
          item.append(kbd);
        }
        item.addEventListener('mousemove', () => this.highlight(i));
        item.addEventListener('click', () => this.choose(i));
        return item;
      }),
    );
    if (ranked.length === 0) {
      const none = document.createElement('li');
      none.className = 'palette-none';
      none.textContent = 'No command matches';
      this.list.append(none);
    }
    this.highlight(active);
  }

  private highlight(i: number): void {
    if (this.shown.length === 0) return;
    this.active = (i + this.shown.length) % this.shown.length;
    const items = this.list.querySelectorAll<HTMLElement>('[role="option"]');
    items.forEach((item, k) => {
      item.setAttribute('aria-selected', String(k === this.active));
    });
    const current = items[this.active];
    if (current) {
      this.input.setAttribute('aria-activedescendant', current.id);
      current.scrollIntoView({ block: 'nearest' });
    }
  }

  private key(event: KeyboardEvent): void {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      this.highlight(this.active + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      this.choose(this.active);
    }
  }

  private choose(i: number): void {
    const chosen = this.shown[i];
    if (!chosen || chosen.disabled) return;
    // The command decides where the focus goes, not the palette.
    this.returnFocus = null;
    this.dialog.close();
    this.commands.run(chosen.id);
  }
}
