/**
 * The console panel: tabs of terminals drawn by xterm.js (with fit, search and clickable
 * links). A machine's serial console is one kind of tab (re-attaching after a reload shows
 * the scroll-back the host kept); a host terminal (node-pty: a shell for make, gdb, phantom)
 * is the other. Both are API streams: output is acknowledged once xterm has drawn it.
 *
 * The panel (tabs, +, search) is up at once; xterm.js itself is a chunk of its own, loaded by
 * `loadXterm` when the first tab opens or when the workspace preloads it after start-up.
 *
 * As in VS Code's terminal: find with a count of matches, copy and paste (keys, and a menu on a
 * right click or Shift+F10). A machine's console also has its log: everything it ever printed,
 * kept on disk, read a page at a time into a second, read-only terminal (far beyond the live
 * terminal's scroll-back), optionally without the lines that contain a text, to hide a program's
 * repeated lines.
 */

import type { Disposable } from '@phantom/inspector/common/events.js';
import { LOG_PAGE_LINES } from '../common/api.js';
import type { ApiClient } from './api-client.js';
import { menuKey } from './menu-keys.js';
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

/** Matches the search counts (and highlights) at most: past it the count reads "1000+". */
const SEARCH_COUNT_LIMIT = 1000;
/** How long typing in the filter box must pause before the log is read again. */
const FILTER_DELAY_MS = 300;
/** The log view's last page is read again at most this often while the machine prints. */
const LOG_REFRESH_MS = 1000;

/** The log view of a machine's console: a page of its log on disk in a read-only terminal. */
interface LogView {
  element: HTMLElement;
  terminal: Terminal;
  fit: FitAddon;
  search: SearchAddon;
  status: HTMLElement;
  earlier: HTMLButtonElement;
  later: HTMLButtonElement;
  /**
   * The page asked for last, shown once its read answers; undefined: the last, which follows what
   * the machine prints.
   */
  page: number | undefined;
  /** The page the view shows (undefined: the last): where `page` goes back to when its read fails. */
  shown: number | undefined;
  pages: number;
  refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** Counts the reads asked for: only the newest one's answer is shown (an older one may answer later). */
  reads: number;
}

interface Tab {
  id: string;
  kind: TabKind;
  /** The machine whose console this is (console tabs only). */
  machine?: string;
  log?: LogView;
  label: HTMLElement;
  body: HTMLElement;
  terminal: Terminal;
  fit: FitAddon;
  search: SearchAddon;
  stream: Disposable | undefined;
  /**
   * Keystrokes to the stream open now. Replaced on each attach: a console re-attached after a
   * power cut and a start has a new stream, and typing into the old one failed ("no open stream").
   */
  input: Disposable | undefined;
  disposables: { dispose(): void }[];
  /**
   * A search moved this terminal off the bottom while it was following its output. Closing the
   * search, or the first output once the search box is left, takes it back to the bottom (as a
   * terminal does); only the user scrolling keeps it where it is.
   */
  searchMoved: boolean;
  /**
   * What its log is read without (the lines containing it): the filter box shows it while this
   * tab is active, so each console's log keeps its own.
   */
  filter: string;
}

/** A console stream that ends sooner than this after attaching is not re-attached by itself. */
const REATTACH_MIN_MS = 1000;

export class ConsolePanel {
  private readonly tabs = new Map<string, Tab>();
  /** Console attaches in flight, by tab id. */
  private readonly attaching = new Map<string, Promise<void>>();
  private active: Tab | undefined;
  private readonly tabStrip: HTMLElement;
  private readonly bodies: HTMLElement;
  private readonly searchInput: HTMLInputElement;
  private readonly searchCount: HTMLElement;
  private readonly filterInput: HTMLInputElement;
  /** A change of the filter waiting for the typing to pause. */
  private filterTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly menu: HTMLElement;
  private terminalCount = 0;

  /**
   * @param machineRunning whether a machine runs now, as the machine bar last heard: a console
   *   whose stream ends while its machine runs again (a rollback or revert restarted it, and the
   *   new state arrived before the old stream's end) attaches again at once.
   */
  constructor(
    private readonly root: HTMLElement,
    private readonly api: ApiClient,
    private readonly machineRunning: (machine: string) => boolean = () => false,
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
    this.searchCount = document.createElement('span');
    this.searchCount.className = 'console-search-count';
    this.searchCount.dataset.testid = 'console-search-count';
    this.searchCount.setAttribute('aria-live', 'polite');
    this.filterInput = document.createElement('input');
    this.filterInput.type = 'search';
    this.filterInput.placeholder = 'Hide lines containing…';
    this.filterInput.className = 'console-filter';
    this.filterInput.dataset.testid = 'console-filter';
    this.filterInput.title =
      "Hide the lines that contain this text (a program's repeated lines): the machine's whole log, without them";
    this.filterInput.addEventListener('input', () => {
      const tab = this.active;
      if (!tab) return;
      tab.filter = this.filterInput.value;
      clearTimeout(this.filterTimer);
      this.filterTimer = setTimeout(() => this.applyFilter(tab), FILTER_DELAY_MS);
    });
    this.filterInput.addEventListener('keydown', (event) => {
      const tab = this.active;
      if (!tab) return;
      if (event.key === 'Enter') {
        this.applyFilter(tab);
      } else if (event.key === 'Escape') {
        this.filterInput.value = tab.filter = '';
        this.applyFilter(tab);
        this.focus();
      }
    });
    header.append(this.tabStrip, newTerminal, this.filterInput, this.searchInput, this.searchCount);
    this.bodies = document.createElement('div');
    this.bodies.className = 'terminal-bodies';
    this.bodies.addEventListener('contextmenu', (event) => {
      if (!this.active) return;
      event.preventDefault();
      this.openMenu(event.clientX, event.clientY);
    });
    this.menu = document.createElement('div');
    this.menu.className = 'console-menu';
    this.menu.setAttribute('role', 'menu');
    this.menu.dataset.testid = 'console-menu';
    this.menu.hidden = true;
    this.menu.addEventListener('keydown', (event) =>
      menuKey(this.menu, event, () => {
        this.menu.hidden = true;
        this.focus();
      }),
    );
    this.menu.addEventListener('focusout', (event) => {
      if (!this.menu.contains(event.relatedTarget as Node | null)) this.menu.hidden = true;
    });
    root.append(header, this.bodies, this.menu);
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
    // A console attached because the machine's state changed takes the keyboard only from no one:
    // the user may be typing elsewhere (the snapshot manager, the editor) when it starts.
    const focusFree = () =>
      !document.activeElement ||
      document.activeElement === document.body ||
      this.root.contains(document.activeElement);
    if (existing?.stream) return this.activate(existing, focusFree());
    let tab: Tab;
    try {
      tab = existing ?? (await this.createTab(id, 'console', `Console — ${machine}`));
      tab.machine = machine;
    } catch (err) {
      showError('The console failed to load', err);
      return;
    }
    this.activate(tab, focusFree());
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
    tab.input?.dispose();
    tab.input = tab.terminal.onData((data) => {
      if (tab.stream)
        this.api
          .call('stream.input', { stream, data })
          .catch((err) => showError('Input was not delivered', err));
    });
  }

  private connect(tab: Tab, stream: number, endPrefix: string): void {
    tab.label.classList.remove('ended');
    const connected = performance.now();
    tab.stream = this.api.consume(stream, {
      onData: (data, shown) => {
        if (tab.searchMoved && document.activeElement !== this.searchInput) this.returnToBottom(tab);
        tab.terminal.write(data, shown);
        if (tab.log && !tab.log.element.hidden && tab.log.page === undefined) this.scheduleLogRefresh(tab);
      },
      onEnd: (reason) => {
        tab.stream = undefined;
        tab.terminal.write(`${endPrefix}${reason} —\x1b[0m\r\n`);
        tab.label.classList.add('ended');
        // A stream that ends the moment it began is not retried: its machine is not serving one.
        const lasted = performance.now() - connected;
        if (
          tab.kind === 'console' &&
          tab.machine &&
          lasted >= REATTACH_MIN_MS &&
          this.machineRunning(tab.machine)
        )
          void this.attachConsole(tab.machine);
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
    const search = new SearchAddon({ highlightLimit: SEARCH_COUNT_LIMIT });
    terminal.loadAddon(fit);
    terminal.loadAddon(search);
    search.onDidChangeResults((results) => this.showCount(search, results));
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
      input: undefined,
      disposables: [],
      searchMoved: false,
      filter: '',
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

  private activate(tab: Tab, takeFocus = true): void {
    // A change typed for the console being left goes to that console's log, not this one's.
    if (this.filterTimer !== undefined && this.active && this.active !== tab) this.applyFilter(this.active);
    for (const other of this.tabs.values()) {
      other.body.hidden = other !== tab;
      other.label.classList.toggle('active', other === tab);
      other.label.setAttribute('aria-selected', String(other === tab));
    }
    this.active = tab;
    this.filterInput.disabled = tab.kind !== 'console';
    this.filterInput.value = tab.filter;
    this.fitActive();
    if (takeFocus) this.focus();
  }

  private closeTab(tab: Tab): void {
    if (tab.log) {
      clearTimeout(tab.log.refreshTimer);
      tab.log.terminal.dispose();
    }
    tab.stream?.dispose();
    tab.input?.dispose();
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
    if (this.active.log && !this.active.log.element.hidden) this.active.log.fit.fit();
  }

  private findNext(backwards = false): void {
    const term = this.searchInput.value;
    if (!this.active) return;
    // An emptied box ends the search: the addon otherwise searches the whole scroll-back again
    // after every write, to keep its highlights, which keeps a busy console's page busy.
    if (!term) {
      this.activeSearch().clearDecorations();
      this.searchCount.textContent = '';
      return;
    }
    const buffer = this.active.terminal.buffer.active;
    if (buffer.viewportY >= buffer.baseY) this.active.searchMoved = true;
    const options = {
      // Decorations also make the addon count the matches (onDidChangeResults).
      decorations: { matchOverviewRuler: '#e0af68', activeMatchColorOverviewRuler: '#ff9e3b' },
    };
    if (backwards) this.activeSearch().findPrevious(term, options);
    else this.activeSearch().findNext(term, options);
  }

  /** The search of what the active tab shows: its log view when open, else its terminal. */
  private activeSearch(): SearchAddon {
    return this.active!.log && !this.active!.log.element.hidden
      ? this.active!.log.search
      : this.active!.search;
  }

  /** "3 of 17" beside the search box, from the search addon's results. */
  private showCount(
    owner: SearchAddon,
    { resultIndex, resultCount }: { resultIndex: number; resultCount: number },
  ): void {
    if (!this.active || owner !== this.activeSearch()) return;
    this.searchCount.textContent = !this.searchInput.value
      ? ''
      : resultCount === 0
        ? 'No results'
        : `${resultIndex >= 0 ? resultIndex + 1 : '?'} of ${resultCount >= SEARCH_COUNT_LIMIT ? `${SEARCH_COUNT_LIMIT}+` : resultCount}`;
  }

  /** The search box was emptied or escaped: no highlights, and a following terminal follows again. */
  private closeSearch(): void {
    this.searchCount.textContent = '';
    if (!this.active) return;
    this.activeSearch().clearDecorations();
    this.returnToBottom(this.active);
  }

  private returnToBottom(tab: Tab): void {
    if (!tab.searchMoved) return;
    tab.searchMoved = false;
    tab.terminal.scrollToBottom();
  }

  /** Focuses what the active tab shows (its log view or its terminal), or the panel's first control. */
  focus(): void {
    const tab = this.active;
    if (!tab) {
      (this.tabStrip.querySelector<HTMLElement>('.tab') ?? this.filterInput).focus();
      return;
    }
    if (tab.log && !tab.log.element.hidden) tab.log.terminal.focus();
    else tab.terminal.focus();
  }

  focusFind(): void {
    this.searchInput.focus();
    this.searchInput.select();
  }

  focusFilter(): void {
    if (this.filterInput.disabled) throw new Error("Only a machine's console has a log to filter.");
    this.filterInput.focus();
    this.filterInput.select();
  }

  /** The terminal the user looks at in the active tab. */
  private shownTerminal(): Terminal | undefined {
    const tab = this.active;
    return tab?.log && !tab.log.element.hidden ? tab.log.terminal : tab?.terminal;
  }

  /** Copies the selection (Ctrl+Shift+C); with `all`, everything in the view. */
  async copy(all = false): Promise<void> {
    const terminal = this.shownTerminal();
    if (!terminal) throw new Error('No console or terminal is open.');
    if (all) terminal.selectAll();
    const text = terminal.getSelection();
    if (!text) throw new Error('Nothing is selected: select text with the pointer, or Ctrl+Shift+A for all.');
    await navigator.clipboard.writeText(text);
  }

  selectAll(): void {
    this.shownTerminal()?.selectAll();
  }

  /** Pastes the clipboard into the terminal or console, as typed input. */
  async paste(): Promise<void> {
    const tab = this.active;
    if (!tab?.stream) throw new Error('Nothing to paste into: no console or terminal is attached.');
    tab.terminal.paste(await navigator.clipboard.readText());
  }

  /** Clears what the view shows (the log on disk keeps everything). */
  clear(): void {
    this.shownTerminal()?.clear();
  }

  /** Whether the active tab has a log on disk to show. */
  get hasLog(): boolean {
    return this.active?.kind === 'console';
  }

  /** Opens the active console's log view at its last page (or refreshes it). */
  async showLog(tab = this.active): Promise<void> {
    if (!tab?.machine) throw new Error("Only a machine's console has a log.");
    const log = tab.log ?? (await this.createLogView(tab));
    log.element.hidden = false;
    tab.body.classList.add('log-shown');
    log.page = undefined;
    await this.loadLogPage(tab);
    if (tab !== this.active) return;
    this.fitActive();
    log.terminal.focus();
  }

  /** Back to the live terminal. */
  closeLog(): void {
    const tab = this.active;
    if (!tab?.log) return;
    tab.log.element.hidden = true;
    tab.body.classList.remove('log-shown');
    this.filterInput.value = tab.filter = '';
    this.fitActive();
    tab.terminal.focus();
  }

  /** Reads `tab`'s log again without what its filter names (now: no wait for the typing to pause). */
  private applyFilter(tab: Tab): void {
    clearTimeout(this.filterTimer);
    this.filterTimer = undefined;
    if (!tab.machine) return;
    if (tab.filter) void this.showLog(tab).catch((err) => showError('Cannot read the console log', err));
    else if (tab.log && !tab.log.element.hidden) void this.loadLogPage(tab);
  }

  private async createLogView(tab: Tab): Promise<LogView> {
    const { FitAddon, SearchAddon, Terminal } = await loadXterm();
    const element = document.createElement('div');
    element.className = 'console-log';
    element.dataset.testid = 'console-log';
    const bar = document.createElement('div');
    bar.className = 'console-log-bar';
    const status = document.createElement('span');
    status.dataset.testid = 'console-log-status';
    const pageButton = (label: string, testid: string, title: string) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.title = title;
      b.dataset.testid = testid;
      return b;
    };
    const earlier = pageButton('Earlier', 'console-log-earlier', 'The page of the log before this one');
    const later = pageButton('Later', 'console-log-later', 'The page after this one');
    const live = pageButton('Back to live', 'console-log-close', 'Close the log and show the live console');
    bar.append(status, earlier, later, live);
    const host = document.createElement('div');
    host.className = 'console-log-terminal';
    element.append(bar, host);
    tab.body.append(element);
    const terminal = new Terminal({
      theme,
      fontFamily: '"DejaVu Sans Mono", "Liberation Mono", monospace',
      fontSize: 13,
      scrollback: LOG_PAGE_LINES + 100,
      disableStdin: true,
      allowProposedApi: true,
    });
    const fit = new FitAddon();
    const search = new SearchAddon({ highlightLimit: SEARCH_COUNT_LIMIT });
    terminal.loadAddon(fit);
    terminal.loadAddon(search);
    search.onDidChangeResults((results) => this.showCount(search, results));
    // Read-only: Tab has nothing to type here, so it moves the focus (to the page buttons) as
    // anywhere else, instead of being taken by the terminal.
    terminal.attachCustomKeyEventHandler((event) => event.key !== 'Tab');
    terminal.open(host);
    const log: LogView = {
      element,
      terminal,
      fit,
      search,
      status,
      earlier,
      later,
      page: undefined,
      shown: undefined,
      pages: 1,
      refreshTimer: undefined,
      reads: 0,
    };
    tab.log = log;
    earlier.addEventListener('click', () => {
      log.page = Math.max(0, (log.page ?? log.pages - 1) - 1);
      void this.loadLogPage(tab);
    });
    later.addEventListener('click', () => {
      const next = (log.page ?? log.pages - 1) + 1;
      log.page = next >= log.pages - 1 ? undefined : next;
      void this.loadLogPage(tab);
    });
    live.addEventListener('click', () => this.closeLog());
    return log;
  }

  /** Reads the log view's page from the host and shows it. */
  private async loadLogPage(tab: Tab): Promise<void> {
    const log = tab.log;
    if (!log || !tab.machine) return;
    const hide = tab.filter.trim();
    const read = ++log.reads;
    try {
      const page = await this.api.call('console.log', {
        machine: tab.machine,
        ...(hide ? { hide } : {}),
        ...(log.page === undefined ? {} : { page: log.page }),
      });
      // A refresh of the last page still on its way when "Earlier" was pressed must not put it back.
      if (read !== log.reads) return;
      log.shown = log.page;
      log.pages = page.pages;
      const lines = page.text ? page.text.split('\r\n').length - 1 : 0;
      const range =
        lines === 0
          ? 'no lines'
          : `lines ${(page.firstLine + 1).toLocaleString('en')}–${(page.firstLine + lines).toLocaleString('en')}`;
      log.status.textContent = `Log on disk: ${range} of ${page.totalLines.toLocaleString('en')}${page.hiddenLines ? `, ${page.hiddenLines.toLocaleString('en')} hidden (containing “${hide}”)` : ''} · page ${page.page + 1} of ${page.pages}`;
      const atFirst = page.page === 0;
      const atLast = page.page >= page.pages - 1;
      const focused = document.activeElement;
      log.earlier.disabled = atFirst;
      log.later.disabled = atLast;
      // A button pressed to an end of the log is disabled under the focus: it goes to the other one.
      if (focused === log.earlier && atFirst) (atLast ? log.terminal : log.later).focus();
      if (focused === log.later && atLast) (atFirst ? log.terminal : log.earlier).focus();
      log.terminal.reset();
      log.terminal.write(page.text);
    } catch (err) {
      if (read !== log.reads) return;
      // The view still shows the page before: Earlier and Later go on from it.
      log.page = log.shown;
      showError(`Cannot read the log of ${tab.machine}`, err);
    }
  }

  /** New output while the last page of the log is shown: read it again, at most every LOG_REFRESH_MS. */
  private scheduleLogRefresh(tab: Tab): void {
    const log = tab.log!;
    log.refreshTimer ??= setTimeout(() => {
      log.refreshTimer = undefined;
      if (!log.element.hidden && log.page === undefined) void this.loadLogPage(tab);
    }, LOG_REFRESH_MS);
  }

  /** The console's menu at a point (a right click) or, by keyboard, at the terminal's corner. */
  openMenu(x?: number, y?: number): void {
    const box = this.bodies.getBoundingClientRect();
    const items: [string, string, () => void | Promise<void>, boolean][] = [
      ['Copy', 'Ctrl+Shift+C', () => this.copy(), true],
      ['Copy all', '', () => this.copy(true), true],
      ['Select all', 'Ctrl+Shift+A', () => this.selectAll(), true],
      ['Paste', 'Ctrl+Shift+V', () => this.paste(), this.active?.stream !== undefined],
      ['Find…', 'Ctrl+F', () => this.focusFind(), true],
      ['Hide lines containing…', 'Ctrl+Shift+H', () => this.focusFilter(), this.hasLog],
      ["Show the machine's whole log", '', () => this.showLog(), this.hasLog],
      ['Clear the view', '', () => this.clear(), true],
    ];
    this.menu.replaceChildren(
      ...items.map(([label, keys, action, enabled]) => {
        const item = document.createElement('button');
        item.type = 'button';
        item.setAttribute('role', 'menuitem');
        item.disabled = !enabled;
        item.dataset.testid = 'console-menu-item';
        const text = document.createElement('span');
        text.textContent = label;
        const kbd = document.createElement('kbd');
        kbd.textContent = keys;
        item.append(text, kbd);
        item.addEventListener('click', () => {
          this.menu.hidden = true;
          Promise.resolve()
            .then(action)
            .catch((err) => showError(`Console: ${label}`, err));
        });
        return item;
      }),
    );
    this.menu.style.left = `${Math.min(x ?? box.left + 24, window.innerWidth - 240)}px`;
    this.menu.style.top = `${Math.min(y ?? box.top + 12, window.innerHeight - 260)}px`;
    this.menu.hidden = false;
    this.menu.querySelector<HTMLElement>('[role="menuitem"]:not(:disabled)')?.focus();
  }

  private showPlaceholder(): void {
    const placeholder = document.createElement('div');
    placeholder.className = 'placeholder';
    placeholder.textContent = 'Start a machine to see its console, or open a terminal with +.';
    this.bodies.append(placeholder);
  }
}
