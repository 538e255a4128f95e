/**
 * The timeline panel: the timeline canvas of the selected machine, its toolbar (fit, zoom,
 * what is selected, "roll back here" to a generation or a checkpoint, behind a confirmation that
 * says what is kept), and a chart of snapshot pause and dirty pages (stats-chart.ts, loaded as
 * a chunk of its own once there is something to plot) over the visible span.
 */
import 'uplot/dist/uPlot.min.css';
import type { Timeline } from '../common/api.js';
import { revertConsequences, rollbackConsequences } from '../common/timeline-layout.js';
import type { ApiClient } from './api-client.js';
import { showError } from './notifications.js';
import type { StatsChart } from './stats-chart.js';
import { TimelineView } from './timeline-view.js';

/** The stats chart's height (plot and axes, without its legend): what the timeline's row leaves. */
const STATS_CHART_HEIGHT = 118;

const SELECTION_HINT =
  'Click a generation or checkpoint to select it; shift+click a second generation to compare.';
const ROLLBACK_TITLE = 'Restart the machine from the selected generation or checkpoint';

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
  private readonly dialog: HTMLDialogElement;
  private readonly summary: HTMLElement;
  private machine: string | undefined;
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
    const spacer = document.createElement('span');
    spacer.className = 'spacer';
    this.selectionText = document.createElement('span');
    this.selectionText.className = 'timeline-selection';
    this.selectionText.dataset.testid = 'timeline-selection';
    this.selectionText.textContent = SELECTION_HINT;
    this.rollbackButton = button('Roll back here…', ROLLBACK_TITLE, 'rollback');
    this.rollbackButton.className = 'danger';
    this.rollbackButton.disabled = true;
    this.rollbackButton.addEventListener('click', () => this.confirmRollback());
    header.append(title, this.summary, fit, zoomIn, zoomOut, spacer, this.selectionText, this.rollbackButton);

    const canvasHost = document.createElement('div');
    canvasHost.className = 'timeline-canvas-host';
    this.plotHost = document.createElement('div');
    this.plotHost.className = 'timeline-plot';
    this.plotHost.dataset.testid = 'timeline-plot';
    this.dialog = document.createElement('dialog');
    this.dialog.className = 'confirm-dialog';
    this.dialog.dataset.testid = 'rollback-dialog';
    root.append(header, canvasHost, this.plotHost, this.dialog);

    this.view = new TimelineView(canvasHost);
    this.view.onViewChange = () =>
      void this.statsChart?.then((chart) => chart?.showSpan(this.view.visibleSpan));
    this.view.onSelectionChange(() => this.selectionChanged());
    api.on('machine.timeline', ({ machine }) => {
      if (machine === this.machine) void this.refresh();
    });
  }

  async show(machine: string | undefined): Promise<void> {
    this.machine = machine;
    await this.refresh();
  }

  /** Shows a timeline that did not come from a machine (the benchmark's). */
  setTimeline(timeline: Timeline): void {
    this.view.setTimeline(timeline);
    // The selection stays, but a generation on it may have left the store disk since.
    this.showSelection();
    const { generations, laneCount } = this.view.model;
    this.summary.textContent = `${generations.length.toLocaleString()} generations · ${timeline.checkpoints.length} checkpoint${timeline.checkpoints.length === 1 ? '' : 's'} · ${laneCount} branch${laneCount === 1 ? '' : 'es'}`;
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

  private async refresh(): Promise<void> {
    if (!this.machine) {
      this.setTimeline({ generations: [], checkpoints: [], current: null });
      this.summary.textContent = 'No machine selected';
      return;
    }
    try {
      this.setTimeline(await this.api.call('machine.timeline', { machine: this.machine }));
    } catch (err) {
      showError(`Cannot read the timeline of ${this.machine}`, err);
    }
  }

  /** Listens for the user choosing one generation (b undefined) or two to compare. */
  onDidSelect(listener: (a: number, b: number | undefined) => void): void {
    this.selectListeners.push(listener);
  }

  /** The user chose what is selected: the listeners inspect it. */
  private selectionChanged(): void {
    const { a, b } = this.view.selection;
    const { generations } = this.view.model;
    const ga = generations[a];
    const gb = generations[b];
    // Only what is on the store disk can be inspected.
    if (ga?.onDisk && (!gb || gb.onDisk))
      for (const listener of this.selectListeners) listener(ga.number, gb?.number);
    this.showSelection();
  }

  /** Enables "Roll back here" for what can be restored, and says what is selected. */
  private showSelection(): void {
    const { a, b, checkpoint } = this.view.selection;
    const { generations, checkpoints } = this.view.model;
    const ga = generations[a];
    const gb = generations[b];
    const cp = checkpoints[checkpoint];
    this.rollbackButton.disabled = !this.machine || !(cp || ga?.onDisk);
    this.rollbackButton.title =
      ga && !ga.onDisk
        ? `Generation ${ga.number} is no longer on the store disk: only its record remains`
        : ROLLBACK_TITLE;
    if (cp)
      this.selectionText.textContent = `Selected: checkpoint ${cp.name}${cp.generation === null ? '' : ` (generation ${cp.generation})`}`;
    else if (!ga) this.selectionText.textContent = SELECTION_HINT;
    else if (!gb)
      this.selectionText.textContent = `Selected: generation ${ga.number}${ga.onDisk ? '' : ' (record only: no longer on the store disk)'}`;
    else {
      const objects =
        ga.objects === null || gb.objects === null
          ? ''
          : ` · ${gb.objects >= ga.objects ? '+' : ''}${(gb.objects - ga.objects).toLocaleString()} objects`;
      this.selectionText.textContent = `A: generation ${ga.number} · B: generation ${gb.number}${objects} · ${((gb.time - ga.time) / 1000).toFixed(1)} s apart`;
    }
    this.selectionText.title = this.selectionText.textContent;
  }

  private confirmRollback(): void {
    const machine = this.machine;
    const { a, checkpoint } = this.view.selection;
    const cp = this.view.model.checkpoints[checkpoint];
    const generation = this.view.model.generations[a];
    if (!machine) return;
    if (cp)
      this.confirm(
        `Roll ${machine} back to checkpoint "${cp.name}"?`,
        revertConsequences(this.view.model, checkpoint),
        `Revert to ${cp.name}`,
        () => this.api.call('machine.revert', { machine, checkpoint: cp.name }),
        `Reverting ${machine} to checkpoint ${cp.name} failed`,
      );
    else if (generation?.onDisk)
      this.confirm(
        `Roll ${machine} back to generation ${generation.number}?`,
        rollbackConsequences(this.view.model, a),
        `Roll back to ${generation.number}`,
        () => this.api.call('machine.rollback', { machine, generation: generation.number }),
        `Rolling ${machine} back to generation ${generation.number} failed`,
      );
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
    const list = document.createElement('ul');
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
