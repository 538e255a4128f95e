/**
 * The console panel: tabs of terminals drawn by xterm.js (with fit, search and clickable
 * links). A machine's serial console is one kind of tab (re-attaching after a reload shows
 * the scroll-back the host kept); a host terminal (node-pty: a shell for make, gdb, phantom)
 * is the other. Both are API streams: output is acknowledged once xterm has drawn it.
 *
 * The panel (tabs, +, search) is up at once; xterm.js itself is a chunk of its own, loaded by
 * `loadXterm` when the first tab opens or when the workspace preloads it after start-up.
 */

import type { Disposable } from '@phantom/inspector/common/events.js';
import type { ApiClient } from './api-client.js';
import { showError } from './notifications.js';
import type { FitAddon, SearchAddon, Terminal } from './xterm.js';

let xterm: Promise<typeof import('./xterm.js')> | undefined;

/** Fetches and evaluates the xterm.js chunk, once. */
export function loadXterm(): Promise<typeof import('./xterm.js')> {
  xterm ??= import('./xterm.js');
  return xterm;
}

const theme = {
  background: '#1a1a1a',
  foreground: '#d4d4d4',
  cursor: '#aeafad',
  selectionBackground: '#264f78',
  black: '#1e1e1e',
  brightBlack: '#666666',
  blue: '#7aa2f7',
  brightBlue: '#9cb8ff',
  green: '#9ece6a',
  brightGreen: '#b9f27c',
  red: '#f14c4c',
  brightRed: '#ff7a7a',
  yellow: '#e0af68',
  brightYellow: '#ffd08a',
  magenta: '#bb9af7',
  brightMagenta: '#d4b8ff',
  cyan: '#7dcfff',
  brightCyan: '#a8e0ff',
  white: '#d4d4d4',
  brightWhite: '#ffffff',
};

export type TabKind = 'console' | 'terminal';

interface Tab {
  id: string;
  kind: TabKind;
  label: HTMLElement;
  body: HTMLElement;
  terminal: Terminal;
  fit: FitAddon;
  search: SearchAddon;
  stream: Disposable | undefined;
  disposables: { dispose(): void }[];
  /**
   * A search moved this terminal off the bottom while it was following its output. Closing the
   * search, or the first output once the search box is left, takes it back to the bottom (as a
   * terminal does); only the user scrolling keeps it where it is.
   */
  searchMoved: boolean;
}

export class ConsolePanel {
  private readonly tabs = new Map<string, Tab>();
  /** Console attaches in flight, by tab id. */
  private readonly attaching = new Map<string, Promise<void>>();
  private active: Tab | undefined;
  private readonly tabStrip: HTMLElement;
  private readonly bodies: HTMLElement;
  private readonly searchInput: HTMLInputElement;
  private terminalCount = 0;

  constructor(
    root: HTMLElement,
    private readonly api: ApiClient,
  ) {
    root.replaceChildren();
    const header = document.createElement('div');
    header.className = 'panel-header console-header';
    this.tabStrip = document.createElement('div');
    this.tabStrip.className = 'tab-strip';
    this.tabStrip.setAttribute('role', 'tablist');
    const newTerminal = document.createElement('button');
    newTerminal.className = 'icon-button';
    newTerminal.title = 'New terminal on the host (make, gdb, phantom)';
    newTerminal.textContent = '+';
    newTerminal.dataset.testid = 'new-terminal';
    newTerminal.addEventListener('click', () => void this.openTerminal());
    this.searchInput = document.createElement('input');
    this.searchInput.type = 'search';
    this.searchInput.placeholder = 'Find in console';
    this.searchInput.className = 'console-search';
    this.searchInput.dataset.testid = 'console-search';
    this.searchInput.addEventListener('input', () => {
      if (this.searchInput.value) this.findNext();
      else this.closeSearch();
    });
    this.searchInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.findNext(event.shiftKey);
      else if (event.key === 'Escape') {
        event.preventDefault();
        this.searchInput.value = '';
        this.closeSearch();
        this.active?.terminal.focus();
      }
    });
    header.append(this.tabStrip, newTerminal, this.searchInput);
    this.bodies = document.createElement('div');
    this.bodies.className = 'terminal-bodies';
    root.append(header, this.bodies);
    this.showPlaceholder();
    new ResizeObserver(() => this.fitActive()).observe(this.bodies);
  }

  /**
   * Shows a machine's serial console, attaching (again) if it is not shown yet. Calls that
   * overlap (the machine bar reports a pick and a state change together) share one attach.
   */
  attachConsole(machine: string): Promise<void> {
    const id = `console:${machine}`;
    let attaching = this.attaching.get(id);
    if (!attaching) {
      attaching = this.attach(id, machine).finally(() => this.attaching.delete(id));
      this.attaching.set(id, attaching);
    }
    return attaching;
  }

  private async attach(id: string, machine: string): Promise<void> {
    const existing = this.tabs.get(id);
    if (existing?.stream) return this.activate(existing);
    let tab: Tab;
    try {
      tab = existing ?? (await this.createTab(id, 'console', `Console — ${machine}`));
    } catch (err) {
      showError('The console failed to load', err);
      return;
    }
    this.activate(tab);
    try {
      const { stream } = await this.api.call('console.attach', { machine });
      this.connect(tab, stream, `\r\n\x1b[2m— console of ${machine} closed: `);
      this.forwardInput(tab, stream);
    } catch (err) {
      tab.terminal.writeln(
        `\x1b[31mCannot attach to the console of ${machine}: ${(err as Error).message}\x1b[0m`,
      );
      showError(`Cannot attach to the console of ${machine}`, err);
    }
  }

  async openTerminal(): Promise<void> {
    const id = `terminal:${++this.terminalCount}`;
    let tab: Tab;
    try {
      tab = await this.createTab(id, 'terminal', 'Terminal');
    } catch (err) {
      showError('The console failed to load', err);
      return;
    }
    this.activate(tab);
    try {
      const { stream, title } = await this.api.call('terminal.open', {
        cols: tab.terminal.cols,
        rows: tab.terminal.rows,
      });
      tab.label.querySelector('.tab-title')!.textContent = `${title} ${this.terminalCount}`;
      this.forwardInput(tab, stream);
      tab.disposables.push(
        tab.terminal.onResize(({ cols, rows }) => {
          this.api.call('terminal.resize', { stream, cols, rows }).catch(() => {});
        }),
      );
      this.connect(tab, stream, '\r\n\x1b[2m— ');
    } catch (err) {
      tab.terminal.writeln(`\x1b[31mCannot open a terminal: ${(err as Error).message}\x1b[0m`);
      showError('Cannot open a terminal on the host', err);
    }
  }

  private forwardInput(tab: Tab, stream: number): void {
    tab.disposables.push(
      tab.terminal.onData((data) => {
        if (tab.stream)
          this.api
            .call('stream.input', { stream, data })
            .catch((err) => showError('Input was not delivered', err));
      }),
    );
  }

  private connect(tab: Tab, stream: number, endPrefix: string): void {
    tab.label.classList.remove('ended');
    tab.stream = this.api.consume(stream, {
      onData: (data, shown) => {
        if (tab.searchMoved && document.activeElement !== this.searchInput) this.returnToBottom(tab);
        tab.terminal.write(data, shown);
      },
      onEnd: (reason) => {
        tab.stream = undefined;
        tab.terminal.write(`${endPrefix}${reason} —\x1b[0m\r\n`);
        tab.label.classList.add('ended');
      },
    });
  }

  private async createTab(id: string, kind: TabKind, title: string): Promise<Tab> {
    const { FitAddon, SearchAddon, Terminal, WebLinksAddon } = await loadXterm();
    this.bodies.querySelector('.placeholder')?.remove();
    const label = document.createElement('div');
    label.className = `tab tab-${kind}`;
    label.setAttribute('role', 'tab');
    label.dataset.tab = id;
    const icon = document.createElement('span');
    icon.className = 'tab-icon';
    icon.textContent = kind === 'console' ? '▣' : '›_';
    const text = document.createElement('span');
    text.className = 'tab-title';
    text.textContent = title;
    const close = document.createElement('button');
    close.className = 'tab-close';
    close.title = kind === 'console' ? 'Detach from the console' : 'Close the terminal';
    close.textContent = '×';
    label.append(icon, text, close);
    this.tabStrip.append(label);
    const body = document.createElement('div');
    body.className = 'terminal-body';
    body.dataset.testid = `terminal-${kind}`;
    this.bodies.append(body);
    const terminal = new Terminal({
      theme,
      fontFamily: '"DejaVu Sans Mono", "Liberation Mono", monospace',
      fontSize: 13,
      scrollback: 10_000,
      cursorBlink: kind === 'terminal',
      // The search addon's match highlighting is a proposed API of xterm.js.
      allowProposedApi: true,
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    terminal.loadAddon(fit);
    terminal.loadAddon(search);
    // Links open in a new browsing context with no opener; Electron's main denies new windows.
    terminal.loadAddon(new WebLinksAddon((_event, uri) => window.open(uri, '_blank', 'noopener')));
    terminal.open(body);
    const tab: Tab = {
      id,
      kind,
      label,
      body,
      terminal,
      fit,
      search,
      stream: undefined,
      disposables: [],
      searchMoved: false,
    };
    this.tabs.set(id, tab);
    // The user scrolling decides where the view stays, whatever a search did before.
    body.addEventListener(
      'wheel',
      () => {
        tab.searchMoved = false;
      },
      { passive: true },
    );
    label.addEventListener('click', (event) => {
      if (event.target === close) this.closeTab(tab);
      else this.activate(tab);
    });
    // A tab is reached with Tab and chosen with Enter or Space, like a button.
    label.tabIndex = 0;
    label.addEventListener('keydown', (event) => {
      if (event.target !== label || (event.key !== 'Enter' && event.key !== ' ')) return;
      event.preventDefault();
      this.activate(tab);
    });
    return tab;
  }

  private activate(tab: Tab): void {
    for (const other of this.tabs.values()) {
      other.body.hidden = other !== tab;
      other.label.classList.toggle('active', other === tab);
      other.label.setAttribute('aria-selected', String(other === tab));
    }
    this.active = tab;
    this.fitActive();
    tab.terminal.focus();
  }

  private closeTab(tab: Tab): void {
    tab.stream?.dispose();
    for (const d of tab.disposables) d.dispose();
    tab.terminal.dispose();
    tab.label.remove();
    tab.body.remove();
    this.tabs.delete(tab.id);
    const next = [...this.tabs.values()].at(-1);
    if (next) this.activate(next);
    else {
      this.active = undefined;
      this.showPlaceholder();
    }
  }

  private fitActive(): void {
    if (!this.active || this.bodies.clientWidth === 0) return;
    this.active.fit.fit();
  }

  private findNext(backwards = false): void {
    const term = this.searchInput.value;
    if (!this.active) return;
    // An emptied box ends the search: the addon otherwise searches the whole scroll-back again
    // after every write, to keep its highlights, which keeps a busy console's page busy.
    if (!term) {
      this.active.search.clearDecorations();
      return;
    }
    const buffer = this.active.terminal.buffer.active;
    if (buffer.viewportY >= buffer.baseY) this.active.searchMoved = true;
    const options = {
      decorations: { matchOverviewRuler: '#e0af68', activeMatchColorOverviewRuler: '#ff9e3b' },
    };
    if (backwards) this.active.search.findPrevious(term, options);
    else this.active.search.findNext(term, options);
  }

  /** The search box was emptied or escaped: no highlights, and a following terminal follows again. */
  private closeSearch(): void {
    if (!this.active) return;
    this.active.search.clearDecorations();
    this.returnToBottom(this.active);
  }

  private returnToBottom(tab: Tab): void {
    if (!tab.searchMoved) return;
    tab.searchMoved = false;
    tab.terminal.scrollToBottom();
  }

  private showPlaceholder(): void {
    const placeholder = document.createElement('div');
    placeholder.className = 'placeholder';
    placeholder.textContent = 'Start a machine to see its console, or open a terminal with +.';
    this.bodies.append(placeholder);
  }
}
