/**
 * The Memory tab: what the garbage collector does to the machine, seen across generations. Each
 * generation the inspector shows (every one, while it follows the machine) adds a point: objects
 * the root reaches and garbage, and what was freed since an earlier generation of the same branch;
 * where all of that generation's garbage is gone the collector ran in between, and the view says
 * when and what it freed (other frees are the interpreter's dropped frames). "Read every
 * kept generation" fills in the rest from the store. Below the chart: when the kernel collects,
 * and at this machine's rate of allocation how often that is. The numbers are common/collector.ts.
 */
import {
  collectorForecast,
  freedBetween,
  KERNEL_COLLECT_BUDGET_MIN,
  type MemorySample,
  type MemoryStep,
  memorySample,
  memoryStep,
} from '../common/collector.js';
import { Chart } from './chart.js';
import { clear, formatBytes, h } from './dom.js';
import type { GenerationEntry, LoadedGeneration } from './session.js';

/** Collections listed under the chart, newest first. */
const COLLECTIONS_LISTED = 12;

export interface CollectorViewOptions {
  generations(): Promise<GenerationEntry[]>;
  load(generation: number): Promise<LoadedGeneration>;
  onError(err: unknown): void;
}

export class CollectorView {
  readonly element: HTMLElement;
  private readonly chart: Chart;
  private readonly summary: HTMLElement;
  private readonly collections: HTMLElement;
  private readonly forecast: HTMLElement;
  private readonly loadAllButton: HTMLButtonElement;
  private readonly samples = new Map<number, MemorySample>();
  /** Steps between a generation and the nearest earlier one seen on its branch, by the later one. */
  private readonly steps = new Map<number, MemoryStep>();
  /** The generation recorded last, kept to compare the next one with. */
  private last: LoadedGeneration | undefined;

  constructor(private readonly options: CollectorViewOptions) {
    this.chart = new Chart({
      testId: 'collector-chart',
      title: 'Objects by generation: reachable, garbage, and freed by the collector',
      x: { time: false, label: 'generation' },
      series: [
        { label: 'reachable', unit: 'objects', colour: '#7aa2f7', side: 'left' },
        { label: 'garbage', unit: 'objects', colour: '#e0af68', side: 'left' },
        { label: 'freed', unit: 'objects', colour: '#9ece6a', side: 'left', style: 'bars' },
      ],
      axisLabels: { left: 'objects' },
      height: 170,
    });
    this.summary = h('p', { class: 'ph-collector-summary', 'data-testid': 'collector-summary' });
    this.collections = h('ul', { class: 'ph-list', 'data-testid': 'collector-collections' });
    this.forecast = h('p', { class: 'ph-muted ph-collector-forecast', 'data-testid': 'collector-forecast' });
    this.loadAllButton = h(
      'button',
      { class: 'ph-button', 'data-testid': 'collector-load-all', onclick: () => void this.loadAll() },
      'Read every kept generation',
    );
    this.element = h(
      'div',
      { class: 'ph-collector', 'data-testid': 'inspector-collector' },
      this.summary,
      this.chart.element,
      h('h4', {}, 'Collections seen'),
      this.collections,
      this.forecast,
      this.loadAllButton,
    );
    this.render();
  }

  /** Adds a generation the inspector shows (following or chosen); compares it with the last one. */
  async record(loaded: LoadedGeneration): Promise<void> {
    if (loaded.live) return;
    const previous = this.last;
    this.last = loaded;
    await this.add(loaded, previous);
  }

  /**
   * Reads every kept generation from the store, oldest first, into the chart: each compared with
   * the one before it. Its own chain, so generations the view follows meanwhile do not cut in.
   */
  async loadAll(): Promise<void> {
    this.loadAllButton.disabled = true;
    this.loadAllButton.textContent = 'Reading generations…';
    try {
      const kept = (await this.options.generations()).map((g) => g.generation).sort((a, b) => a - b);
      let previous: LoadedGeneration | undefined;
      for (const g of kept) {
        const loaded = await this.loadIfKept(g);
        if (!loaded) continue;
        await this.add(loaded, previous);
        previous = loaded;
      }
    } catch (err) {
      this.options.onError(err);
    } finally {
      this.loadAllButton.disabled = false;
      this.loadAllButton.textContent = 'Read every kept generation';
    }
  }

  /**
   * A generation, or undefined when retention reclaimed it since the list was read (reading a
   * minute of generations takes long enough for the oldest to go): the chart goes without it.
   */
  private async loadIfKept(generation: number): Promise<LoadedGeneration | undefined> {
    try {
      return await this.options.load(generation);
    } catch (err) {
      const kept = await this.options.generations();
      if (kept.some((g) => g.generation === generation)) throw err;
      return undefined;
    }
  }

  /**
   * Samples `loaded` and, when `previous` is an earlier generation of its branch nearer than the
   * one its step was taken from (if any), says what was freed in between: the nearer the two, the
   * closer the step is to the moment of a collection.
   */
  private async add(loaded: LoadedGeneration, previous: LoadedGeneration | undefined): Promise<void> {
    const sample = memorySample(loaded.generation, loaded.heap, loaded.idom);
    this.samples.set(loaded.generation, sample);
    const known = this.steps.get(loaded.generation);
    if (
      previous &&
      previous.generation < loaded.generation &&
      (!known || known.from < previous.generation) &&
      (await this.sameBranch(previous.generation, loaded.generation))
    ) {
      const before =
        this.samples.get(previous.generation) ??
        memorySample(previous.generation, previous.heap, previous.idom);
      this.steps.set(
        loaded.generation,
        memoryStep(before, sample, freedBetween(previous.heap, loaded.heap, previous.idom)),
      );
    }
    this.render();
  }

  /** Whether `later` descends from `earlier` (a rollback starts another branch). */
  private async sameBranch(earlier: number, later: number): Promise<boolean> {
    const parents = new Map((await this.options.generations()).map((g) => [g.generation, g.parent]));
    for (
      let g: number | null | undefined = later;
      g !== null && g !== undefined && g >= earlier;
      g = parents.get(g)
    )
      if (g === earlier) return true;
    return false;
  }

  private render(): void {
    const samples = [...this.samples.values()].sort((a, b) => a.generation - b.generation);
    this.chart.setData([
      samples.map((s) => s.generation),
      samples.map((s) => s.objects - s.garbageObjects),
      samples.map((s) => s.garbageObjects),
      samples.map((s) => this.steps.get(s.generation)?.freedObjects ?? null),
    ]);
    const latest = samples.at(-1);
    this.summary.textContent = latest
      ? `Generation ${latest.generation}: ${latest.garbageObjects.toLocaleString('en')} of ${latest.objects.toLocaleString('en')} objects are garbage (${formatBytes(latest.garbageBytes)} of ${formatBytes(latest.bytes)}): the root no longer reaches them, and the next collection frees them.`
      : 'No generation shown yet.';
    const steps = [...this.steps.values()].sort((a, b) => b.to - a.to);
    const collected = steps.filter((s) => s.collected);
    clear(this.collections);
    for (const s of collected.slice(0, COLLECTIONS_LISTED))
      this.collections.append(
        h(
          'li',
          { 'data-testid': 'collection' },
          `Between generation ${s.from} and ${s.to} the collector freed at least ${s.freedObjects.toLocaleString('en')} objects (${formatBytes(s.freedBytes)}).`,
        ),
      );
    if (collected.length === 0)
      this.collections.append(
        h(
          'li',
          { class: 'ph-muted' },
          samples.length < 2
            ? 'None yet: the view compares each generation it shows with the one before.'
            : `None across the ${samples.length} generations seen.`,
        ),
      );
    const forecast = latest && collectorForecast(steps, latest);
    this.forecast.textContent = `The kernel collects once it has allocated max(${formatBytes(KERNEL_COLLECT_BUDGET_MIN)}, live data) since its last collection (GC_BUDGET_MIN in lang/spec/layout.def), so that the heap stays near twice its live data.${
      forecast
        ? forecast.bytesPerGeneration > 0
          ? ` This machine allocates about ${formatBytes(Math.round(forecast.bytesPerGeneration))} a generation: a collection about every ${Math.round(forecast.generationsPerCollection).toLocaleString('en')} generations.`
          : ' This machine allocated nothing between the generations seen.'
        : ''
    }`;
  }
}
