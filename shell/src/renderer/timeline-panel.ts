/**
 * The timeline panel: the timeline canvas of the selected machine, its toolbar (fit, zoom, the
 * snapshot manager, what is selected, "roll back here" to a generation or a checkpoint, behind a
 * confirmation that says what is kept), a legend of what the marks mean, and a chart of snapshot
 * pause and dirty pages (stats-chart.ts, loaded as a chunk of its own once there is something to
 * plot) over the visible span. Choosing a generation that is no longer on the store disk says
 * why it cannot be inspected, where the user is looking. "Replay" (on the toolbar, and in a
 * generation's menu, a right-click or the menu key) opens the debugger on a replay of the selected
 * generation, stepping forward and back, without touching the machine.
 */
import 'uplot/dist/uPlot.min.css';
import type { Timeline } from '../common/api.js';
import { type ReplayChoice, replayChoice } from '../common/replay-choice.js';
import { checkpointLabel, generationLabel, RETENTION_POLICY } from '../common/snapshot-tree.js';
import { revertConsequences, rollbackConsequences } from '../common/timeline-layout.js';
import type { ApiClient } from './api-client.js';
import { menuKey } from './menu-keys.js';
import { clearNotifications, showError, showInfo } from './notifications.js';
import { SnapshotManager } from './snapshot-manager.js';
import type { StatsChart } from './stats-chart.js';
import { TimelineView } from './timeline-view.js';

/** The stats chart's height (plot and axes, without its legend): what the timeline's row leaves. */
const STATS_CHART_HEIGHT = 118;

const SELECTION_HINT =
  'Click a generation or checkpoint to select it (or Tab to the timeline and use the arrow keys); shift+click a second generation to compare.';

/** What the notification about a chosen generation that left the disk is tied to: one at a time. */
const GONE_CAUSE = 'timeline:gone';

/** The legend: each mark the canvas draws, and what it means. */
const LEGEND: [string, string][] = [
  ['dot', 'on the store disk: inspect it, roll back to it'],
  [
    'dot hollow',
    'no longer on the store disk (reclaimed by retention, or left behind by a revert): its record only',
  ],
  ['diamond', 'checkpoint'],
  ['here', 'you are here'],
  ['fold', 'idle time folded'],
];
const ROLLBACK_TITLE = 'Restart the machine from the selected generation or checkpoint';
const REPLAY_TITLE =
  'Replay the selected generation in the debugger: step forward and back, without touching the machine';

function button(label: string, title: string, testId: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.title = title;
  b.dataset.testid = testId;
  return b;
}

export class TimelinePanel {
  readonly view: TimelineView;
  private readonly plotHost: HTMLElement;
  private statsChart: Promise<StatsChart | undefined> | undefined;
  private readonly selectionText: HTMLElement;
  private readonly rollbackButton: HTMLButtonElement;
  private readonly replayButton: HTMLButtonElement;
  private readonly menu: HTMLElement;
  private readonly replayListeners: ((machine: string, generation: number) => void)[] = [];
  private readonly dialog: HTMLDialogElement;
  private readonly summary: HTMLElement;
  private readonly manager: SnapshotManager;
  private machine: string | undefined;
  /** The timeline read on its way, and the one asked for meanwhile (refresh). */
  private refreshing: Promise<void> | undefined;
  private refreshAgain: Promise<void> | undefined;
  private readonly selectListeners: ((a: number, b: number | undefined) => void)[] = [];

  constructor(
    root: HTMLElement,
    private readonly api: ApiClient,
  ) {
    root.replaceChildren();
    const header = document.createElement('div');
    header.className = 'panel-header';
    const title = document.createElement('h2');
    title.textContent = 'Timeline';
    this.summary = document.createElement('span');
    this.summary.className = 'timeline-summary';
    this.summary.dataset.testid = 'timeline-summary';
    this.summary.textContent = 'No machine selected';
    const fit = button('Fit', 'Show the whole history', 'timeline-fit');
    fit.addEventListener('click', () => this.view.zoomToFit());
    const zoomIn = button('+', 'Zoom in (or use the wheel)', 'timeline-zoom-in');
    zoomIn.addEventListener('click', () => this.view.zoom(0.5));
    const zoomOut = button('−', 'Zoom out', 'timeline-zoom-out');
    zoomOut.addEventListener('click', () => this.view.zoom(2));
    const snapshots = button(
      'Snapshots…',
      'The snapshot manager: branches and checkpoints as a tree — take, rename, describe, delete, revert (keyboard throughout)',
      'snapshots-open',
    );
    snapshots.addEventListener('click', () => this.manager.open());
    const spacer = document.createElement('span');
    spacer.className = 'spacer';
    this.selectionText = document.createElement('span');
    this.selectionText.className = 'timeline-selection';
    this.selectionText.dataset.testid = 'timeline-selection';
    this.selectionText.textContent = SELECTION_HINT;
    // Said aloud as it changes: the keyboard's choice is read out.
    this.selectionText.setAttribute('aria-live', 'polite');
    this.rollbackButton = button('Roll back here…', ROLLBACK_TITLE, 'rollback');
    this.rollbackButton.className = 'danger';
    this.rollbackButton.disabled = true;
    this.rollbackButton.addEventListener('click', () => this.confirmRollback());
    this.replayButton = button('Replay', REPLAY_TITLE, 'timeline-replay');
    this.replayButton.disabled = true;
    this.replayButton.addEventListener('click', () => this.replaySelected());
    header.append(
      title,
      this.summary,
      fit,
      zoomIn,
      zoomOut,
      snapshots,
      spacer,
      this.selectionText,
      this.replayButton,
      this.rollbackButton,
    );

    const main = document.createElement('div');
    main.className = 'timeline-main';
    const canvasHost = document.createElement('div');
    canvasHost.className = 'timeline-canvas-host';
    const legend = document.createElement('div');
    legend.className = 'timeline-legend';
    legend.dataset.testid = 'timeline-legend';
    for (const [mark, meaning] of LEGEND) {
      const item = document.createElement('span');
      const glyph = document.createElement('i');
      glyph.className = `legend-mark ${mark}`;
      glyph.setAttribute('aria-hidden', 'true');
      item.append(glyph, meaning);
      legend.append(item);
    }
    main.append(canvasHost, legend);
    this.plotHost = document.createElement('div');
    this.plotHost.className = 'timeline-plot';
    this.plotHost.dataset.testid = 'timeline-plot';
    this.dialog = document.createElement('dialog');
    this.dialog.className = 'confirm-dialog';
    this.dialog.dataset.testid = 'rollback-dialog';
    // Named by its question and described by what it keeps, as a screen reader announces it.
    this.dialog.setAttribute('aria-labelledby', 'rollback-dialog-title');
    this.dialog.setAttribute('aria-describedby', 'rollback-dialog-consequences');
    this.menu = document.createElement('div');
    this.menu.className = 'console-menu timeline-menu';
    this.menu.setAttribute('role', 'menu');
    this.menu.dataset.testid = 'timeline-menu';
    this.menu.hidden = true;
    this.menu.addEventListener('keydown', (event) =>
      menuKey(this.menu, event, () => {
        this.menu.hidden = true;
        this.view.canvas.focus();
      }),
    );
    this.menu.addEventListener('focusout', (event) => {
      if (!this.menu.contains(event.relatedTarget as Node | null)) this.menu.hidden = true;
    });
    document.addEventListener('mousedown', (event) => {
      if (!this.menu.hidden && !this.menu.contains(event.target as Node)) this.menu.hidden = true;
    });
    root.append(header, main, this.plotHost, this.dialog, this.menu);

    this.view = new TimelineView(canvasHost);
    this.view.onViewChange = () =>
      void this.statsChart?.then((chart) => chart?.showSpan(this.view.visibleSpan));
    this.view.onSelectionChange(() => this.selectionChanged());
    this.view.onContextMenu((index, x, y) => this.openMenu(index, x, y));
    api.on('machine.timeline', ({ machine }) => {
      if (machine === this.machine) void this.refresh();
    });
    this.manager = new SnapshotManager({
      api,
      machine: () => this.machine,
      layout: () => this.view.model,
      refresh: () => this.refresh(),
      confirmRevert: (index) => this.confirmRollback({ checkpoint: index }),
      confirmRollback: (index) => this.confirmRollback({ generation: index }),
      select: (index) => this.view.select(index),
    });
    root.append(this.manager.element);
  }

  async show(machine: string | undefined): Promise<void> {
    if (machine !== this.machine) this.manager.close();
    this.machine = machine;
    await this.refresh();
  }

  /** Shows a timeline that did not come from a machine (the benchmark's). */
  setTimeline(timeline: Timeline): void {
    this.view.setTimeline(timeline);
    // The selection stays, but a generation on it may have left the store disk since.
    this.showSelection();
    const { generations, laneCount } = this.view.model;
    const folds = this.view.folds.length;
    this.summary.textContent = `${generations.length.toLocaleString()} generation${generations.length === 1 ? '' : 's'} · ${timeline.checkpoints.length} checkpoint${timeline.checkpoints.length === 1 ? '' : 's'} · ${laneCount} branch${laneCount === 1 ? '' : 'es'}${folds > 0 ? ` · ${folds} idle gap${folds === 1 ? '' : 's'} folded` : ''}`;
    this.manager.refresh();
    if (generations.length > 0) this.statsChart ??= this.loadStatsChart();
    void this.statsChart?.then((chart) => {
      chart?.setTimeline(this.view.model);
      chart?.showSpan(this.view.visibleSpan);
    });
  }

  /** Fetches the chart's chunk (uPlot) and mounts it, once; undefined (and said) when it fails. */
  private async loadStatsChart(): Promise<StatsChart | undefined> {
    try {
      const { StatsChart } = await import('./stats-chart.js');
      return new StatsChart(this.plotHost, STATS_CHART_HEIGHT);
    } catch (err) {
      this.statsChart = undefined;
      showError('The timeline chart failed to load', err);
      return undefined;
    }
  }

  /**
   * Reads the timeline again. One read at a time: asked while one is on its way, one more follows
   * it (for everyone who asked meanwhile), so a burst of `machine.timeline` events costs two reads,
   * not one each, and every caller still gets a timeline read after it asked.
   */
  private refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.read().finally(() => {
        this.refreshing = undefined;
      });
      return this.refreshing;
    }
    this.refreshAgain ??= this.refreshing.then(() => {
      this.refreshAgain = undefined;
      return this.refresh();
    });
    return this.refreshAgain;
  }

  private async read(): Promise<void> {
    if (!this.machine) {
      this.setTimeline({ generations: [], checkpoints: [], current: null });
      this.summary.textContent = 'No machine selected';
      return;
    }
    const cause = `timeline:${this.machine}`;
    try {
      this.setTimeline(await this.api.call('machine.timeline', { machine: this.machine }));
      clearNotifications(cause);
    } catch (err) {
      showError(`Cannot read the timeline of ${this.machine}`, err, { cause });
    }
  }

  /**
   * Shows two generations (by kernel number) selected as a pair, brought into view, without
   * telling the listeners: the inspector already shows them (an answer to "when did this change?").
   * The newest generation with each number is taken: the current branch's. A generation the
   * timeline has not heard of yet (just committed) is fetched with the timeline first.
   */
  async showPair(before: number, after: number): Promise<void> {
    const indexOf = (n: number) => {
      const { generations } = this.view.model;
      for (let i = generations.length - 1; i >= 0; i--) if (generations[i]!.number === n) return i;
      return -1;
    };
    if (indexOf(before) < 0 || indexOf(after) < 0) await this.refresh();
    this.view.selectPair(indexOf(before), indexOf(after));
    this.showSelection();
  }

  /** Listens for the user choosing one generation (b undefined) or two to compare. */
  onDidSelect(listener: (a: number, b: number | undefined) => void): void {
    this.selectListeners.push(listener);
  }

  /** Listens for the user asking to replay a generation (by its kernel number) of a machine. */
  onDidRequestReplay(listener: (machine: string, generation: number) => void): void {
    this.replayListeners.push(listener);
  }

  /** What "Replay" would replay now: the selected generation, alone. */
  selectedReplay(): ReplayChoice {
    if (!this.machine) return { problem: 'pick a machine in the machine bar first' };
    const { a, b, checkpoint } = this.view.selection;
    if (checkpoint >= 0 || b >= 0)
      return { problem: 'select one generation on the timeline (a checkpoint or a pair cannot be replayed)' };
    return replayChoice(this.view.model, a);
  }

  /** "Replay": the selected generation, or a notification saying why not. */
  replaySelected(): void {
    const choice = this.selectedReplay();
    const machine = this.machine;
    if ('problem' in choice || !machine) {
      showInfo('Cannot replay', 'problem' in choice ? choice.problem : 'pick a machine first');
      return;
    }
    for (const listener of this.replayListeners) listener(machine, choice.generation);
  }

  /** A generation's menu, at a point of the page: replay it, roll back to it. */
  private openMenu(index: number, x: number, y: number): void {
    const machine = this.machine;
    if (!machine) return;
    const choice = replayChoice(this.view.model, index);
    const label = generationLabel(this.view.model, index);
    const item = (text: string, testId: string, title: string, enabled: boolean, run: () => void) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.setAttribute('role', 'menuitem');
      b.textContent = text;
      b.title = title;
      b.dataset.testid = testId;
      b.disabled = !enabled;
      b.addEventListener('click', () => {
        this.menu.hidden = true;
        run();
      });
      return b;
    };
    const generation = this.view.model.generations[index];
    this.menu.replaceChildren(
      item(
        `Replay ${label}`,
        'timeline-menu-replay',
        'problem' in choice ? choice.problem : REPLAY_TITLE,
        !('problem' in choice),
        () => {
          if (!('problem' in choice))
            for (const listener of this.replayListeners) listener(machine, choice.generation);
        },
      ),
      item('Roll back here…', 'timeline-menu-rollback', ROLLBACK_TITLE, generation?.onDisk === true, () =>
        this.confirmRollback({ generation: index }),
      ),
    );
    this.menu.hidden = false;
    const width = this.menu.offsetWidth;
    const height = this.menu.offsetHeight;
    this.menu.style.left = `${Math.max(0, Math.min(x, window.innerWidth - width))}px`;
    this.menu.style.top = `${Math.max(0, Math.min(y, window.innerHeight - height))}px`;
    this.menu.querySelector<HTMLButtonElement>('[role="menuitem"]:not(:disabled)')?.focus();
  }

  /** The user chose what is selected: the listeners inspect it. */
  private selectionChanged(): void {
    const { a, b } = this.view.selection;
    const { generations } = this.view.model;
    const ga = generations[a];
    const gb = generations[b];
    // Only what is on the store disk can be inspected; what is not says why, not nothing.
    if (ga?.onDisk && (!gb || gb.onDisk)) {
      clearNotifications(GONE_CAUSE);
      for (const listener of this.selectListeners) listener(ga.number, gb?.number);
    } else if (ga) this.explainGone(ga.onDisk ? b : a);
    this.showSelection();
  }

  /** Says, where the user looks, why the generation at `index` shows nothing in the inspector. */
  private explainGone(index: number): void {
    clearNotifications(GONE_CAUSE);
    const label = generationLabel(this.view.model, index);
    showInfo(
      `${label[0]!.toUpperCase()}${label.slice(1)} is no longer on the store disk`,
      `Only its record remains, so it cannot be inspected or restored (hollow dots are such records). The kernel's retention keeps ${RETENTION_POLICY}; a checkpoint revert takes the disk back to before the generations after the checkpoint. Choose a filled dot.`,
      { cause: GONE_CAUSE },
    );
  }

  /** Enables "Roll back here" for what can be restored, and says what is selected. */
  private showSelection(): void {
    const { a, b, checkpoint } = this.view.selection;
    const { generations, checkpoints } = this.view.model;
    const ga = generations[a];
    const gb = generations[b];
    const cp = checkpoints[checkpoint];
    this.rollbackButton.disabled = !this.machine || !(cp || ga?.onDisk);
    const replay = this.selectedReplay();
    this.replayButton.disabled = 'problem' in replay;
    this.replayButton.title = 'problem' in replay ? `Replay: ${replay.problem}` : REPLAY_TITLE;
    const model = this.view.model;
    this.rollbackButton.title =
      ga && !ga.onDisk
        ? `${generationLabel(model, a)} is no longer on the store disk: only its record remains`
        : ROLLBACK_TITLE;
    if (cp)
      this.selectionText.textContent = `Selected: checkpoint ${cp.name} (${checkpointLabel(model, cp)})`;
    else if (!ga) this.selectionText.textContent = SELECTION_HINT;
    else if (!gb)
      this.selectionText.textContent = `Selected: ${generationLabel(model, a)}${ga.onDisk ? '' : ' (record only: no longer on the store disk)'}`;
    else {
      const objects =
        ga.objects === null || gb.objects === null
          ? ''
          : ` · ${gb.objects >= ga.objects ? '+' : ''}${(gb.objects - ga.objects).toLocaleString()} objects`;
      this.selectionText.textContent = `A: ${generationLabel(model, a)} · B: ${generationLabel(model, b)}${objects} · ${((gb.time - ga.time) / 1000).toFixed(1)} s apart`;
    }
    this.selectionText.title = this.selectionText.textContent;
  }

  /**
   * Asks to roll back to what is selected, or to the checkpoint or generation given (by index,
   * from the snapshot manager).
   */
  private confirmRollback(target: { checkpoint?: number; generation?: number } = {}): void {
    const machine = this.machine;
    const checkpoint =
      target.checkpoint ?? (target.generation === undefined ? this.view.selection.checkpoint : -1);
    const a = target.generation ?? (target.checkpoint === undefined ? this.view.selection.a : -1);
    const model = this.view.model;
    const cp = model.checkpoints[checkpoint];
    const generation = model.generations[a];
    if (!machine) return;
    if (cp)
      this.confirm(
        `Roll ${machine} back to checkpoint "${cp.name}"?`,
        revertConsequences(model, checkpoint),
        `Revert to ${cp.name}`,
        async () => {
          const reverted = await this.api.call('machine.revert', { machine, checkpoint: cp.name });
          if (reverted.state === 'stopped')
            showInfo(
              `${machine} is back at checkpoint "${cp.name}"`,
              'It was stopped when the checkpoint was taken, and is stopped now: Start resumes it from there.',
            );
        },
        `Reverting ${machine} to checkpoint ${cp.name} failed`,
      );
    else if (generation?.onDisk) {
      const label = generationLabel(model, a);
      this.confirm(
        `Roll ${machine} back to ${label}?`,
        rollbackConsequences(model, a),
        `Roll back to ${generation.number}`,
        () => this.api.call('machine.rollback', { machine, generation: generation.number }),
        `Rolling ${machine} back to ${label} failed`,
      );
    }
  }

  /** The confirmation dialog: what will happen and what is kept, then the action on confirm. */
  private confirm(
    heading: string,
    consequences: string[],
    confirmLabel: string,
    action: () => Promise<unknown>,
    failure: string,
  ): void {
    const title = document.createElement('h3');
    title.textContent = heading;
    title.id = 'rollback-dialog-title';
    const list = document.createElement('ul');
    list.id = 'rollback-dialog-consequences';
    for (const line of consequences) {
      const item = document.createElement('li');
      item.textContent = line;
      list.append(item);
    }
    const actions = document.createElement('div');
    actions.className = 'dialog-actions';
    const cancel = button('Cancel', 'Keep running as is', 'rollback-cancel');
    const confirm = button(confirmLabel, 'Go back to this point', 'rollback-confirm');
    confirm.className = 'primary';
    cancel.addEventListener('click', () => this.dialog.close());
    confirm.addEventListener('click', async () => {
      this.dialog.close();
      try {
        await action();
      } catch (err) {
        showError(failure, err);
      }
    });
    actions.append(cancel, confirm);
    this.dialog.replaceChildren(title, list, actions);
    this.dialog.showModal();
    cancel.focus();
  }
}
