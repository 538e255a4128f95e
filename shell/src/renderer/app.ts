/**
 * The renderer's entry point: lays out the workspace (machine bar, explorer, editor, console,
 * inspector, timeline, status bar) and connects each panel to the API. Panels mount into the
 * elements named by their data-panel attribute.
 */
import type { HostAccelerator, MachineSummary } from '../common/api.js';
import { connectApi } from './api-client.js';
import { mountInspectorResizer } from './column-resizer.js';
import { CommandPalette } from './command-palette.js';
import { Commands } from './commands.js';
import { ConsolePanel, loadXterm } from './console-panel.js';
import { DebugPanel } from './debug-panel.js';
import { Debugger, DebugState } from './debugger.js';
import type { EditorPanel } from './editor-panel.js';
import { Explorer } from './explorer.js';
import { HelpPage } from './help-page.js';
import { InspectorPanel } from './inspector-panel.js';
import { MachineBar } from './machine-bar.js';
import { showError } from './notifications.js';
import { TimelinePanel } from './timeline-panel.js';

/**
 * Start-up milestones as User Timing marks, which Chromium's performance trace and the start-up
 * benchmark (bench/run.mjs) read. Interactive: the host answered, the machine bar, explorer and
 * timeline show its state, and their controls and the console panel's take input.
 */
enum StartupMark {
  ApiAnswered = 'phantom:api-answered',
  Interactive = 'phantom:interactive',
  ConsoleLoaded = 'phantom:console-loaded',
  InspectorLoaded = 'phantom:inspector-loaded',
  EditorLoaded = 'phantom:editor-loaded',
}

function panel(name: string): HTMLElement {
  return document.querySelector<HTMLElement>(`[data-panel="${name}"]`)!;
}

function byTestId(id: string): HTMLElement {
  return document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
}

/** Links a stylesheet of the bundle (Monaco's is kept out of app.css) and waits until it applies. */
function linkStylesheet(href: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.addEventListener('load', () => resolve());
    link.addEventListener('error', () => reject(new Error(`${href} did not load`)));
    document.head.append(link);
  });
}

/** The parts F6 and Shift+F6 move between, in the order they lie on screen. */
const PARTS = ['machine-bar', 'explorer', 'debug', 'editor', 'inspector', 'console', 'timeline'] as const;
type Part = (typeof PARTS)[number];

/** The part that has the focus, if any. */
function partOf(element: Element | null): Part | undefined {
  const name = element?.closest<HTMLElement>('[data-panel]')?.dataset.panel;
  return PARTS.find((p) => p === name);
}

/** The first control of a part that takes the focus (the part itself when it has none). */
function focusFirstIn(part: Part): void {
  const root = panel(part);
  // Only what is shown: a hidden control (the editor's buttons with no file open) takes no focus.
  const first = [
    ...root.querySelectorAll<HTMLElement>(
      'select:not(:disabled), input:not(:disabled), button:not(:disabled), [tabindex="0"], textarea',
    ),
  ].find((e) => e.getClientRects().length > 0);
  if (first) first.focus();
  else {
    root.tabIndex = -1;
    root.focus();
  }
}

/** A status bar button (the Tab mode, commands, help). */
function statusButton(text: string, title: string, testId: string, onClick: () => void): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'status-button';
  button.textContent = text;
  button.title = title;
  button.dataset.testid = testId;
  button.addEventListener('click', onClick);
  return button;
}

/** The status bar's accelerator: its name, and why in the tooltip (KVM only when a probe boot passed). */
function showAccelerator(element: HTMLElement, accelerator: HostAccelerator): void {
  element.textContent = accelerator.name ? `QEMU ${accelerator.name.toUpperCase()}` : 'no accelerator';
  element.title = accelerator.why;
  element.classList.toggle('status-problem', accelerator.name === null);
}

async function main(): Promise<void> {
  const api = connectApi(showError);
  api.on('studio.error', (error) =>
    showError(error.title, Object.assign(new Error(error.message), { stack: error.details })),
  );
  // Monaco, xterm.js and the inspector's views load in chunks of their own once the workspace
  // is interactive (or at their first use), so they do not compete with start-up for the CPU.
  /** The machine picked in the machine bar: the inspector reads it, the editor installs into it. */
  let picked: MachineSummary | undefined;
  let editor: Promise<EditorPanel> | undefined;
  const loadEditor = () => {
    editor ??= Promise.all([import('./editor-panel.js'), linkStylesheet('editor.css')]).then(
      ([{ EditorPanel }]) => {
        const panelView = new EditorPanel(
          panel('editor'),
          api,
          () => picked?.name,
          byTestId('problems-status') as HTMLButtonElement,
        );
        panelView.onStatus((text) => {
          byTestId('editor-status').textContent = text;
        });
        panelView.onTabMode((movesFocus) => showTabMode(movesFocus));
        panelView.attachDebugger(debug);
        return panelView;
      },
    );
    editor.catch((err) => showError('The editor failed to load', err));
    return editor;
  };
  /** The deferred chunks in the order they are likely needed: console, inspector, editor. */
  const preloadChunks = async () => {
    try {
      await loadXterm();
      performance.mark(StartupMark.ConsoleLoaded);
      await inspector.load();
      performance.mark(StartupMark.InspectorLoaded);
    } catch (err) {
      showError('Part of the studio failed to load', err);
    }
    await loadEditor().then(
      () => performance.mark(StartupMark.EditorLoaded),
      () => undefined,
    );
  };
  const explorer = new Explorer(
    panel('explorer'),
    api,
    (entry) => void loadEditor().then((e) => e.open(entry)),
  );
  const isRunning = (machine: MachineSummary | undefined) =>
    machine !== undefined && (machine.state === 'running' || machine.state === 'paused');
  /** Every machine's state as the machine bar last reported it. */
  const states = new Map<string, MachineSummary>();
  const consolePanel = new ConsolePanel(panel('console'), api, (name) => isRunning(states.get(name)));
  const timeline = new TimelinePanel(panel('timeline'), api);
  const attachIfRunning = (machine: MachineSummary | undefined) => {
    if (machine && isRunning(machine)) void consolePanel.attachConsole(machine.name);
  };
  const inspectorRoot = panel('inspector');
  const inspector = new InspectorPanel(
    {
      mount: inspectorRoot.querySelector<HTMLElement>('.inspector-mount')!,
      follow: inspectorRoot.querySelector<HTMLButtonElement>('.inspector-follow')!,
    },
    api,
    () => picked?.name,
    (err) => showError('The inspector could not read the machine', err),
    (before, after) => void timeline.showPair(before, after),
  );
  inspectorRoot.querySelector('.inspector-now')!.addEventListener('click', () => void inspector.showNow());
  mountInspectorResizer(document.querySelector<HTMLElement>('.workbench')!, inspectorRoot);
  const expand = inspectorRoot.querySelector<HTMLButtonElement>('.inspector-expand')!;
  expand.addEventListener('click', () => {
    const wide = document.body.classList.toggle('inspector-wide');
    expand.setAttribute('aria-pressed', String(wide));
    expand.textContent = wide ? 'Collapse' : 'Expand';
  });
  // Choosing a generation on the timeline inspects the machine as of then; two compare them.
  timeline.onDidSelect((a, b) => {
    if (!picked) return;
    void (b === undefined ? inspector.showGeneration(a) : inspector.compare(Math.min(a, b), Math.max(a, b)));
  });
  const machineBar = new MachineBar(panel('machine-bar'), api, {
    onPick: (machine) => {
      if (machine) states.set(machine.name, machine);
      const changed = machine?.name !== picked?.name;
      picked = machine;
      void timeline.show(machine?.name);
      attachIfRunning(machine);
      if (changed && machine) void inspector.machineChanged();
    },
    onState: (machine) => {
      if (machine) states.set(machine.name, machine);
      attachIfRunning(machine);
      if (machine?.name === picked?.name && isRunning(machine) && !isRunning(picked))
        void inspector.machineChanged();
      if (machine?.name === picked?.name) picked = machine;
    },
  });
  const debug = new Debugger(api, () => picked, showError);
  const debugPanel = new DebugPanel(panel('debug'), debug, (address) => inspector.showObjectNow(address));
  // The editor draws breakpoints once it is loaded; a stop opens the frame's file and marks its line.
  debug.onDidSelectFrame((frame, file) => {
    void loadEditor().then((e) => e.showStop(file ? { file, line: frame.line } : undefined));
  });
  debug.onDidChange(() => {
    if (debug.state !== DebugState.Stopped) void editor?.then((e) => e.showStop(undefined));
  });
  // A replay of a generation, from the timeline (its "Replay", a generation's menu) or the palette.
  timeline.onDidRequestReplay((machine, generation) => {
    void debug
      .replay(machine, generation)
      .then(() => debugPanel.focus())
      .catch((err) => showError(`Cannot replay generation ${generation} of ${machine}`, err));
  });
  const commands = new Commands();
  const palette = new CommandPalette(commands);
  const help = new HelpPage();
  const tabMode = statusButton('Tab: inserts', '', 'tab-mode', () => commands.run('editor.toggleTabFocus'));
  const showTabMode = (movesFocus: boolean) => {
    tabMode.textContent = movesFocus ? 'Tab: moves focus' : 'Tab: inserts';
    tabMode.title = `In the editor, Tab ${movesFocus ? 'moves the focus' : 'inserts a tab'}: Ctrl+M or a click switches (F6 leaves the editor either way)`;
  };
  showTabMode(false);
  document.querySelector('.status-bar')!.append(
    tabMode,
    statusButton('Commands', 'Every command with its keys (Ctrl+Shift+P)', 'palette-button', () =>
      palette.open(),
    ),
    statusButton('?', 'Help: keyboard shortcuts and how things work (Shift+F1)', 'help-button', () =>
      help.toggle(),
    ),
  );
  registerCommands(commands, {
    palette,
    help,
    consolePanel,
    inspector,
    loadEditor,
    picked: () => picked,
    debug,
    debugPanel,
    timeline,
  });
  commands.listen();
  try {
    const info = await api.call('studio.info', {});
    performance.mark(StartupMark.ApiAnswered);
    byTestId('studio-version').textContent = `${info.name} ${info.version}`;
    byTestId('studio-mode').textContent = info.mode === 'browser' ? 'browser mode' : 'Electron';
    void api.call('studio.accelerator', {}).then(
      (accelerator) => showAccelerator(byTestId('studio-accelerator'), accelerator),
      (err) => showError('Cannot tell which accelerator machines get', err),
    );
    await Promise.all([explorer.refresh(), machineBar.refresh()]);
    document.body.dataset.ready = 'true';
    performance.mark(StartupMark.Interactive);
    setTimeout(() => void preloadChunks(), 0);
  } catch (err) {
    showError('Cannot reach the studio host', err);
  }
}

interface CommandTargets {
  palette: CommandPalette;
  help: HelpPage;
  consolePanel: ConsolePanel;
  inspector: InspectorPanel;
  loadEditor: () => Promise<EditorPanel>;
  picked: () => MachineSummary | undefined;
  debug: Debugger;
  debugPanel: DebugPanel;
  timeline: TimelinePanel;
}

/** What each command of common/commands.ts does here. */
function registerCommands(commands: Commands, t: CommandTargets): void {
  const moveFocus = (step: number) => {
    const at = partOf(document.activeElement);
    const next = PARTS[((at ? PARTS.indexOf(at) : -1) + step + PARTS.length) % PARTS.length]!;
    focusPart(next);
  };
  const focusPart = (part: Part) => {
    if (part === 'editor')
      void t
        .loadEditor()
        .then((e) => (panel('editor').classList.contains('no-file') ? focusFirstIn('editor') : e.focus()));
    else if (part === 'console') t.consolePanel.focus();
    else if (part === 'debug') t.debugPanel.focus();
    else if (part === 'inspector') void t.inspector.load().then(() => byTestId('inspector-search').focus());
    else if (part === 'timeline') {
      const canvas = panel('timeline').querySelector<HTMLElement>('[data-testid="timeline-canvas"]');
      if (canvas && canvas.tabIndex >= 0) canvas.focus();
      else focusFirstIn('timeline');
    } else focusFirstIn(part);
  };
  commands.register('palette.show', { run: () => t.palette.toggle() });
  commands.register('help.show', { run: () => t.help.toggle() });
  commands.register('focus.next', { run: () => moveFocus(1) });
  commands.register('focus.previous', { run: () => moveFocus(-1) });
  commands.register('focus.machineBar', { run: () => focusPart('machine-bar') });
  commands.register('focus.explorer', { run: () => focusPart('explorer') });
  commands.register('focus.editor', { run: () => focusPart('editor') });
  commands.register('focus.debug', { run: () => focusPart('debug') });
  commands.register('focus.inspector', { run: () => focusPart('inspector') });
  commands.register('focus.console', { run: () => focusPart('console') });
  commands.register('focus.timeline', { run: () => focusPart('timeline') });

  // The machine bar's own controls do the work, so the palette does exactly what a click does.
  const machineButton = (action: string) =>
    document.querySelector<HTMLButtonElement>(`[data-panel="machine-bar"] button[data-action="${action}"]`)!;
  for (const action of ['build', 'start', 'stop', 'powerCut', 'snapshotNow', 'checkpoint']) {
    commands.register(`machine.${action}`, {
      run: () => machineButton(action).click(),
      unavailable: () => {
        const machine = t.picked();
        if (!machine) return 'pick a machine in the machine bar first';
        return machineButton(action).disabled ? `not while ${machine.name} is ${machine.state}` : undefined;
      },
    });
  }
  commands.register('machine.new', {
    run: () => {
      const picker = byTestId('machine-picker') as HTMLSelectElement;
      const option = [...picker.options].find((o) => o.textContent === 'New machine…');
      if (!option) throw new Error('the machine bar is still loading');
      picker.value = option.value;
      picker.dispatchEvent(new Event('change'));
    },
  });

  commands.register('editor.save', { run: async () => (await t.loadEditor()).save() });
  // editor-panel.js is Monaco's chunk: its enum is taken from it once it is loaded, not at start-up.
  const install = async (run: boolean) => {
    const [editor, { AfterInstall }] = await Promise.all([t.loadEditor(), import('./editor-panel.js')]);
    await editor.installIntoMachine(run ? AfterInstall.RunProgram : AfterInstall.Nothing);
  };
  commands.register('editor.install', { run: () => install(false) });
  commands.register('editor.installAndRun', { run: () => install(true) });
  commands.register('editor.toggleTabFocus', {
    run: async () => (await t.loadEditor()).toggleTabMovesFocus(),
  });

  const d = t.debug;
  commands.register('debug.continue', {
    run: () => d.continueOrStart(),
    unavailable: () => d.unavailable('continue'),
  });
  commands.register('debug.pause', { run: () => d.pause(), unavailable: () => d.unavailable('pause') });
  commands.register('debug.stepOver', {
    run: () => d.step('next'),
    unavailable: () => d.unavailable('step'),
  });
  commands.register('debug.stepInto', {
    run: () => d.step('stepIn'),
    unavailable: () => d.unavailable('step'),
  });
  commands.register('debug.stepOut', {
    run: () => d.step('stepOut'),
    unavailable: () => d.unavailable('step'),
  });
  commands.register('debug.stop', {
    run: () => d.stop(),
    unavailable: () => (d.replaying ? undefined : d.unavailable('stop')),
  });
  commands.register('debug.stepBack', {
    run: () => d.stepBack(),
    unavailable: () => d.unavailable('stepBack'),
  });
  commands.register('debug.reverseContinue', {
    run: () => d.reverseContinue(),
    unavailable: () => d.unavailable('reverseContinue'),
  });
  commands.register('debug.replay', {
    run: () => t.timeline.replaySelected(),
    unavailable: () => {
      const choice = t.timeline.selectedReplay();
      return 'problem' in choice ? choice.problem : undefined;
    },
  });
  commands.register('debug.endReplay', {
    run: () => d.endReplay(),
    unavailable: () => d.unavailable('endReplay'),
  });
  commands.register('debug.continueMachineFromHere', {
    run: async () => {
      await d.continueMachineFromHere();
    },
    unavailable: () => d.unavailable('continueMachine'),
  });
  commands.register('debug.toggleBreakpoint', {
    run: async () => (await t.loadEditor()).attachDebugger(d).toggleAtCursor(),
  });
  commands.register('debug.editBreakpoint', {
    run: async () => (await t.loadEditor()).attachDebugger(d).openMenuAtCursor(),
  });

  const c = t.consolePanel;
  const logOnly = () => (c.hasLog ? undefined : "open a machine's console first: only it has a log");
  commands.register('console.find', { run: () => c.focusFind() });
  commands.register('console.copy', { run: () => c.copy() });
  commands.register('console.copyAll', { run: () => c.copy(true) });
  commands.register('console.selectAll', { run: () => c.selectAll() });
  commands.register('console.paste', { run: () => c.paste() });
  commands.register('console.filter', { run: () => c.focusFilter(), unavailable: logOnly });
  commands.register('console.log', { run: () => c.showLog(), unavailable: logOnly });
  commands.register('console.menu', { run: () => c.openMenu() });
  commands.register('console.clear', { run: () => c.clear() });
  commands.register('console.newTerminal', { run: () => c.openTerminal() });

  const inspectorButton = (selector: string) => () =>
    void t.inspector.load().then(() => document.querySelector<HTMLButtonElement>(selector)!.click());
  commands.register('inspector.search', { run: () => focusPart('inspector') });
  commands.register('inspector.now', { run: inspectorButton('[data-testid="inspector-now"]') });
  commands.register('inspector.follow', { run: inspectorButton('[data-testid="inspector-follow"]') });
  commands.register('inspector.expand', { run: inspectorButton('[data-testid="inspector-expand"]') });
  // A tab chosen from the palette takes the focus, so Tab goes on into what it shows.
  commands.register('inspector.memory', {
    run: () =>
      void t.inspector.load().then(() => {
        const tab = byTestId('inspector-tab-memory') as HTMLButtonElement;
        tab.click();
        tab.focus();
      }),
  });
}

void main();
