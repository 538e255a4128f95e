/**
 * The help page (Shift+F1, the palette, or "?" in the status bar): every command with its keys,
 * from common/commands.ts so the list is never out of date, and a few paragraphs on how the
 * studio's parts work for someone new: getting around by keyboard, the inspector's search, the
 * console, the timeline.
 */
import { COMMANDS, type CommandSpec } from '../common/commands.js';

/** How-tos, one per part: a heading and its paragraphs. */
const GUIDES: readonly [string, readonly string[]][] = [
  [
    'Getting around',
    [
      'F6 and Shift+F6 move between the parts of the studio: machine bar, explorer, editor, inspector, console, timeline. Tab moves within a part.',
      'In the editor Tab inserts a tab, as in VS Code. Press Ctrl+M (or click “Tab: inserts” in the status bar) to make Tab move the focus instead; F6 leaves the editor either way.',
      'Ctrl+Shift+P (or F1) lists every command with its keys; type a few letters of one and press Enter.',
    ],
  ],
  [
    'The inspector',
    [
      'Search as you type: a class (part of its name: “counter” finds .demo.counter), an address (@0x40001a40) or field=value (count=3, name="notes", next=null).',
      'An object pane shows its fields, the retainers tree (who holds it, by which field, and how far each holder is from the root; expand a holder to see its holders), the path from the root and its history across generations, as a chart when it holds numbers.',
      'The diff compares two generations, reachable objects only unless you ask for the garbage too. The Memory tab shows garbage by generation and when the collector ran.',
    ],
  ],
  [
    'The console',
    [
      'Ctrl+F finds in the console and counts the matches; Ctrl+Shift+C copies the selection, Ctrl+Shift+A selects everything, Shift+F10 or a right click opens the menu.',
      'Ctrl+Shift+H hides the lines that contain a text (a program’s repeated lines); the machine’s whole log, kept on disk, is read a page at a time, so nothing it printed is ever out of reach.',
    ],
  ],
  [
    'The timeline',
    [
      'Every generation the kernel commits is a dot; checkpoints are diamonds. Choose one to inspect the machine as of then, two to compare them, and “Roll back here…” to restart from it: the present stays on the timeline as a branch.',
      'The chart beside it shows each generation’s snapshot pause and dirty pages: hover for values, drag or use the wheel to zoom, double-click to see everything.',
    ],
  ],
];

export class HelpPage {
  private readonly dialog: HTMLDialogElement;

  constructor() {
    this.dialog = document.createElement('dialog');
    this.dialog.className = 'help-page';
    this.dialog.dataset.testid = 'help-page';
    this.dialog.setAttribute('aria-labelledby', 'help-title');
    const title = document.createElement('h2');
    title.id = 'help-title';
    title.textContent = 'Phantom Studio: help';
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'help-close';
    close.textContent = 'Close';
    close.addEventListener('click', () => this.dialog.close());
    const body = document.createElement('div');
    body.className = 'help-body';
    for (const [heading, paragraphs] of GUIDES) {
      const h = document.createElement('h3');
      h.textContent = heading;
      body.append(
        h,
        ...paragraphs.map((text) => Object.assign(document.createElement('p'), { textContent: text })),
      );
    }
    const keysHeading = document.createElement('h3');
    keysHeading.textContent = 'Keyboard shortcuts and commands';
    body.append(keysHeading, shortcutTable(COMMANDS));
    this.dialog.append(title, close, body);
    document.body.append(this.dialog);
    this.dialog.addEventListener('click', (event) => {
      if (event.target === this.dialog) this.dialog.close();
    });
  }

  toggle(): void {
    if (this.dialog.open) this.dialog.close();
    else {
      this.dialog.showModal();
      this.dialog.querySelector<HTMLElement>('.help-close')?.focus();
    }
  }
}

function shortcutTable(commands: readonly CommandSpec[]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'help-keys';
  table.dataset.testid = 'help-shortcuts';
  for (const category of [...new Set(commands.map((c) => c.category))]) {
    const head = table.insertRow();
    const th = document.createElement('th');
    th.colSpan = 3;
    th.textContent = category;
    head.append(th);
    for (const c of commands.filter((x) => x.category === category)) {
      const row = table.insertRow();
      row.dataset.command = c.id;
      row.insertCell().textContent = c.title;
      const keys = row.insertCell();
      for (const k of c.keys ?? [])
        keys.append(Object.assign(document.createElement('kbd'), { textContent: k }));
      row.insertCell().textContent =
        c.scope === 'editor' ? 'in the editor' : c.scope === 'console' ? 'in the console' : '';
    }
  }
  return table;
}
