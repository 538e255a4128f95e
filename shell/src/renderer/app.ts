/**
 * The renderer's entry point: lays out the workspace (machine bar, explorer, editor, console,
 * inspector, timeline, status bar) and connects each panel to the API. Panels mount into the
 * elements named by their data-panel attribute.
 */
import type { HostAccelerator, MachineSummary } from '../common/api.js';
import { connectApi } from './api-client.js';
import { mountInspectorResizer } from './column-resizer.js';
import { ConsolePanel, loadXterm } from './console-panel.js';
import type { EditorPanel } from './editor-panel.js';
import { Explorer } from './explorer.js';
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
  const consolePanel = new ConsolePanel(panel('console'), api);
  const timeline = new TimelinePanel(panel('timeline'), api);
  const isRunning = (machine: MachineSummary | undefined) =>
    machine !== undefined && (machine.state === 'running' || machine.state === 'paused');
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
      const changed = machine?.name !== picked?.name;
      picked = machine;
      void timeline.show(machine?.name);
      attachIfRunning(machine);
      if (changed && machine) void inspector.machineChanged();
    },
    onState: (machine) => {
      attachIfRunning(machine);
      if (machine?.name === picked?.name && isRunning(machine) && !isRunning(picked))
        void inspector.machineChanged();
      if (machine?.name === picked?.name) picked = machine;
    },
  });
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

void main();
