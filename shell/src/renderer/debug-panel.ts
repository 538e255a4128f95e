/**
 * The debugger's panel ("Run and debug", under the explorer): the toolbar (continue or start,
 * pause, step over, into, out, stop, with VS Code's keys), the call stack (threads and their
 * frames; a click selects a frame), the selected frame's variables (objects and arrays expanded
 * as they are opened, arrays a page at a time, an object opened in the inspector's panes with its
 * action), the watch expressions (evaluated in the selected frame at each stop) and the adapter's
 * output (logpoints). It draws the Debugger's state and calls its actions; nothing here talks to
 * the host. While a replay is open, a banner says which generation the panes show (not the live
 * machine) with its "End replay", and the toolbar adds step back and reverse continue.
 */
import {
  type DapStackFrame,
  type DapVariable,
  type Debugger,
  DebugState,
  VARIABLES_PAGE,
} from './debugger.js';
import { showError } from './notifications.js';
import { treeKeyboard } from './tree-keys.js';

interface ToolbarAction {
  id: string;
  icon: string;
  label: string;
  keys: string;
  run: () => Promise<void>;
  enabled: () => boolean;
  /** Shown only while a replay is open: a live machine cannot go back. */
  replayOnly?: boolean;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class DebugPanel {
  private readonly toolbar: HTMLElement;
  private readonly statusLine: HTMLElement;
  private readonly replayBanner: HTMLElement;
  private readonly replayText: HTMLElement;
  private readonly stack: HTMLElement;
  private readonly variablesTree: HTMLElement;
  private readonly watchList: HTMLElement;
  private readonly outputList: HTMLElement;
  private readonly buttons = new Map<string, { button: HTMLButtonElement; action: ToolbarAction }>();
  /** Bumped at each frame selection, so a slow read of an older frame's variables is dropped. */
  private variablesEpoch = 0;
  private shownFrame: DapStackFrame | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly debug: Debugger,
    /** Opens an object of the stopped frame in the inspector's panes, by its address. */
    private readonly inspect: (address: number) => Promise<void>,
  ) {
    const header = el('div', 'panel-header debug-header');
    header.append(el('h2', '', 'Run and debug'));
    this.toolbar = el('div', 'debug-toolbar');
    this.toolbar.setAttribute('role', 'toolbar');
    this.toolbar.setAttribute('aria-label', 'Debug');
    this.replayBanner = el('div', 'debug-replay-banner');
    this.replayBanner.dataset.testid = 'debug-replay-banner';
    this.replayBanner.setAttribute('role', 'status');
    this.replayBanner.hidden = true;
    this.replayText = el('span', 'debug-replay-text');
    const endReplay = el('button', 'debug-replay-end', 'End replay');
    endReplay.type = 'button';
    endReplay.dataset.testid = 'debug-end-replay';
    endReplay.title = 'End the replay and show the live machine again (Shift+F5)';
    endReplay.addEventListener(
      'click',
      () => void debug.endReplay().catch((err) => showError('Cannot end the replay', err)),
    );
    const continueMachine = el('button', 'debug-replay-continue', 'Continue the machine from here');
    continueMachine.type = 'button';
    continueMachine.dataset.testid = 'debug-continue-machine';
    continueMachine.title =
      "Make the replay's state, where it stands, the machine's: a new branch from the replayed generation (the present is kept as a checkpoint first)";
    continueMachine.addEventListener(
      'click',
      () =>
        void debug
          .continueMachineFromHere()
          .catch((err) => showError('Cannot continue the machine from the replay', err)),
    );
    this.replayBanner.append(el('span', 'icon', '⟲'), this.replayText, continueMachine, endReplay);
    this.statusLine = el('p', 'debug-status');
    this.statusLine.dataset.testid = 'debug-status';
    this.statusLine.setAttribute('aria-live', 'polite');
    this.stack = el('ul', 'debug-tree debug-stack');
    this.stack.dataset.testid = 'debug-stack';
    this.stack.setAttribute('aria-label', 'Call stack');
    this.variablesTree = el('ul', 'debug-tree debug-variables');
    this.variablesTree.dataset.testid = 'debug-variables';
    this.variablesTree.setAttribute('role', 'tree');
    this.variablesTree.setAttribute('aria-label', 'Variables');
    treeKeyboard(this.variablesTree, (item) =>
      item.querySelector<HTMLButtonElement>(':scope > .debug-row > .debug-twisty')?.click(),
    );
    this.watchList = el('ul', 'debug-tree debug-watch');
    this.watchList.dataset.testid = 'debug-watch';
    this.watchList.setAttribute('aria-label', 'Watch');
    this.watchList.setAttribute('role', 'tree');
    treeKeyboard(this.watchList, (item) =>
      item.querySelector<HTMLButtonElement>(':scope > .debug-row > .debug-twisty')?.click(),
    );
    this.outputList = el('pre', 'debug-output');
    this.outputList.dataset.testid = 'debug-output';
    const watchInput = el('input', 'debug-watch-input');
    watchInput.placeholder = 'Add an expression (this.count)…';
    watchInput.setAttribute('aria-label', 'Add a watch expression');
    watchInput.dataset.testid = 'debug-watch-input';
    watchInput.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      this.debug.addWatch(watchInput.value);
      watchInput.value = '';
    });
    const section = (title: string, body: HTMLElement, ...extra: HTMLElement[]) => {
      const s = el('section', 'debug-section');
      s.append(el('h3', '', title), ...extra, body);
      return s;
    };
    root.append(
      header,
      this.replayBanner,
      this.toolbar,
      this.statusLine,
      section('Call stack', this.stack),
      section('Variables', this.variablesTree),
      section('Watch', this.watchList, watchInput),
      section('Output', this.outputList),
    );
    this.addActions();
    debug.onDidChange(() => this.render());
    this.render();
  }

  private addActions(): void {
    const d = this.debug;
    const attached = () => d.isActive && d.state !== DebugState.Starting;
    const actions: ToolbarAction[] = [
      {
        id: 'continue',
        icon: '▶',
        label: 'Continue',
        keys: 'F5',
        run: () => d.continueOrStart(),
        enabled: () => d.unavailable('continue') === undefined && d.state !== DebugState.Starting,
      },
      {
        id: 'pause',
        icon: '‖',
        label: 'Pause',
        keys: '',
        run: () => d.pause(),
        enabled: () => attached() && d.unavailable('pause') === undefined,
      },
      {
        id: 'stepOver',
        icon: '↷',
        label: 'Step over',
        keys: 'F10',
        run: () => d.step('next'),
        enabled: () => d.unavailable('step') === undefined,
      },
      {
        id: 'stepInto',
        icon: '↓',
        label: 'Step into',
        keys: 'F11',
        run: () => d.step('stepIn'),
        enabled: () => d.unavailable('step') === undefined,
      },
      {
        id: 'stepOut',
        icon: '↑',
        label: 'Step out',
        keys: 'Shift+F11',
        run: () => d.step('stepOut'),
        enabled: () => d.unavailable('step') === undefined,
      },
      {
        id: 'stepBack',
        icon: '↶',
        label: 'Step back',
        keys: 'Alt+F10',
        run: () => d.stepBack(),
        enabled: () => d.unavailable('stepBack') === undefined,
        replayOnly: true,
      },
      {
        id: 'reverseContinue',
        icon: '◀',
        label: 'Reverse continue',
        keys: 'Alt+F5',
        run: () => d.reverseContinue(),
        enabled: () => d.unavailable('reverseContinue') === undefined,
        replayOnly: true,
      },
      {
        id: 'stop',
        icon: '■',
        label: 'Stop debugging',
        keys: 'Shift+F5',
        run: () => d.stop(),
        enabled: () => d.isActive || d.replaying !== undefined,
      },
    ];
    for (const action of actions) {
      const button = el('button', 'debug-action');
      button.type = 'button';
      button.dataset.action = action.id;
      button.dataset.testid = `debug-${action.id}`;
      button.append(el('span', 'icon', action.icon));
      button.setAttribute('aria-label', action.label);
      button.title = action.keys ? `${action.label} (${action.keys})` : action.label;
      button.addEventListener(
        'click',
        () => void action.run().catch((err) => showError(`${action.label} failed`, err)),
      );
      this.toolbar.append(button);
      this.buttons.set(action.id, { button, action });
    }
  }

  private render(): void {
    const d = this.debug;
    this.root.dataset.state = d.state;
    const replay = d.replaying;
    this.root.dataset.replay = String(replay !== undefined);
    this.replayBanner.hidden = replay === undefined;
    if (replay)
      this.replayText.textContent = `Replay of generation ${replay.generation} of ${replay.machine} — not the live machine`;
    for (const { button, action } of this.buttons.values()) {
      button.disabled = !action.enabled();
      if (action.replayOnly) button.hidden = replay === undefined;
      if (action.id === 'continue') {
        const label = d.isActive ? 'Continue' : 'Start debugging (attach to the picked machine)';
        button.setAttribute('aria-label', label);
        button.title = `${label} (F5)`;
      }
      if (action.id === 'stop') {
        const label = replay ? 'End replay' : 'Stop debugging';
        button.setAttribute('aria-label', label);
        button.title = `${label} (Shift+F5)`;
      }
    }
    this.statusLine.textContent = d.status;
    this.renderStack();
    this.renderWatches();
    this.outputList.textContent = d.output.join('\n');
    this.outputList.scrollTop = this.outputList.scrollHeight;
    if (d.selectedFrame !== this.shownFrame) {
      this.shownFrame = d.selectedFrame;
      void this.renderVariables();
    }
  }

  private renderStack(): void {
    const d = this.debug;
    const items: HTMLElement[] = [];
    for (const thread of d.threads) {
      const item = el('li', 'debug-thread');
      const label = el('div', 'debug-row');
      label.append(
        el('span', 'debug-name', `Thread ${thread.id}`),
        el('span', 'debug-value', thread.stopped ? `stopped: ${thread.stopped}` : 'running'),
      );
      if (thread.description) label.title = thread.description;
      item.append(label);
      if (thread.frames.length > 0) {
        const frames = el('ul', 'debug-frames');
        for (const frame of thread.frames) {
          const row = el('li', '');
          const button = el('button', 'debug-row debug-frame');
          button.type = 'button';
          button.dataset.testid = 'debug-frame';
          button.classList.toggle('selected', frame === d.selectedFrame);
          button.setAttribute('aria-current', String(frame === d.selectedFrame));
          if (frame.presentationHint === 'subtle') button.classList.add('subtle');
          const where = frame.source?.name ? `${frame.source.name}:${frame.line}` : '';
          button.append(el('span', 'debug-name', frame.name), el('span', 'debug-where', where));
          button.title = frame.source?.path
            ? `${frame.name}\n${frame.source.path}:${frame.line}`
            : frame.name;
          button.addEventListener('click', () => d.selectFrame(thread, frame));
          row.append(button);
          frames.append(row);
        }
        item.append(frames);
      }
      items.push(item);
    }
    if (items.length === 0) items.push(el('li', 'empty', d.isActive ? 'No threads.' : 'Not debugging.'));
    this.stack.replaceChildren(...items);
  }

  private async renderVariables(): Promise<void> {
    const epoch = ++this.variablesEpoch;
    const frame = this.debug.selectedFrame;
    if (!frame) {
      this.variablesTree.replaceChildren(
        el('li', 'empty', this.debug.isActive ? 'Not stopped.' : 'Not debugging.'),
      );
      return;
    }
    try {
      const scopes = await this.debug.scopes(frame);
      if (epoch !== this.variablesEpoch) return;
      const items = scopes.map((scope) =>
        this.treeItem({ name: scope.name, value: '', variablesReference: scope.variablesReference }, 0, true),
      );
      this.variablesTree.replaceChildren(...items);
    } catch (err) {
      if (epoch === this.variablesEpoch)
        this.variablesTree.replaceChildren(
          el('li', 'empty', `Cannot read the frame: ${(err as Error).message}`),
        );
    }
  }

  /**
   * One variable (or scope) of the tree: its children are read when it is opened, an array's in
   * pages of VARIABLES_PAGE (a "[0…99]" row per page when it has more).
   */
  private treeItem(
    v: DapVariable,
    depth: number,
    open = false,
    page?: { start: number; count: number },
  ): HTMLElement {
    const item = el('li', 'debug-var');
    item.setAttribute('role', 'treeitem');
    item.dataset.name = v.name;
    const row = el('div', 'debug-row');
    row.style.paddingLeft = `${8 + depth * 12}px`;
    const expandable = v.variablesReference > 0;
    const twisty = el('button', 'debug-twisty', expandable ? '▸' : '');
    twisty.type = 'button';
    // The tree takes the keys (tree-keys.ts): one tab stop for it, not one per row.
    twisty.tabIndex = -1;
    twisty.disabled = !expandable;
    twisty.setAttribute('aria-label', `${v.name}: expand`);
    const name = el('span', 'debug-name', v.name);
    row.append(twisty, name);
    if (v.value !== '') {
      row.append(el('span', 'debug-sep', '='));
      const value = el('span', 'debug-value', v.value);
      value.dataset.testid = 'debug-variable-value';
      value.title = v.type ? `${v.value}\n(${v.type})` : v.value;
      row.append(value);
    }
    const address = v.memoryReference === undefined ? undefined : Number.parseInt(v.memoryReference, 16);
    if (address !== undefined && Number.isSafeInteger(address)) {
      const inspect = el('button', 'debug-inspect', '⌕');
      inspect.type = 'button';
      inspect.title = `Open ${v.name} in the inspector`;
      inspect.setAttribute('aria-label', `Open ${v.name} in the inspector`);
      inspect.dataset.testid = 'debug-inspect';
      inspect.addEventListener(
        'click',
        () =>
          void this.inspect(address).catch((err) => showError(`Cannot open ${v.name} in the inspector`, err)),
      );
      row.append(inspect);
    }
    item.append(row);
    if (!expandable) return item;
    item.setAttribute('aria-expanded', 'false');
    const children = el('ul', 'debug-children');
    children.setAttribute('role', 'group');
    item.append(children);
    let loaded = false;
    const toggle = async () => {
      const opening = item.getAttribute('aria-expanded') !== 'true';
      item.setAttribute('aria-expanded', String(opening));
      twisty.textContent = opening ? '▾' : '▸';
      twisty.setAttribute('aria-label', `${v.name}: ${opening ? 'collapse' : 'expand'}`);
      if (!opening || loaded) return;
      loaded = true;
      const indexed = v.indexedVariables ?? 0;
      try {
        if (page === undefined && indexed > VARIABLES_PAGE) {
          const pages: HTMLElement[] = [];
          for (let start = 0; start < indexed; start += VARIABLES_PAGE) {
            const count = Math.min(VARIABLES_PAGE, indexed - start);
            pages.push(
              this.treeItem(
                {
                  name: `[${start}…${start + count - 1}]`,
                  value: '',
                  variablesReference: v.variablesReference,
                },
                depth + 1,
                false,
                { start, count },
              ),
            );
          }
          children.replaceChildren(...pages);
          return;
        }
        const vars = await this.debug.variables(v.variablesReference, page?.start, page?.count);
        children.replaceChildren(...vars.map((child) => this.treeItem(child, depth + 1)));
      } catch (err) {
        loaded = false;
        children.replaceChildren(el('li', 'empty', `Cannot read ${v.name}: ${(err as Error).message}`));
      }
    };
    twisty.addEventListener('click', () => void toggle());
    name.addEventListener('click', () => void toggle());
    if (open) void toggle();
    return item;
  }

  private renderWatches(): void {
    const d = this.debug;
    const items = d.watchResults.map((w) => {
      const item = this.treeItem(
        {
          name: w.expression,
          value:
            w.error !== undefined ? w.error : (w.value ?? (d.isActive ? 'not stopped' : 'not debugging')),
          variablesReference: w.variablesReference,
        },
        0,
      );
      item.classList.toggle('error', w.error !== undefined);
      const remove = el('button', 'debug-remove', '×');
      remove.type = 'button';
      remove.title = `Remove the watch ${w.expression}`;
      remove.setAttribute('aria-label', `Remove the watch ${w.expression}`);
      remove.addEventListener('click', () => d.removeWatch(w.expression));
      item.querySelector('.debug-row')!.append(remove);
      return item;
    });
    this.watchList.replaceChildren(...items);
  }

  focus(): void {
    // Not a button of the hidden replay banner: focusing it does nothing, and F6 stayed put.
    const first = [...this.root.querySelectorAll<HTMLElement>('button:not(:disabled), input')].find(
      (e) => e.closest('[hidden]') === null,
    );
    first?.focus();
  }
}
