/**
 * The studio's charts, on uPlot: axes with units, a legend that shows the values under the
 * pointer (or under the keyboard cursor), and zoom along x by dragging a span, the wheel or the
 * keyboard (+, −, 0 to reset, arrows to step, shift+arrows to pan), double-click or "Reset zoom"
 * to see everything again. The inspector's history and collector views and the studio's
 * timeline stats use it; what they plot is computed in the packages' common code, and the zoom
 * arithmetic is common/chart-zoom.ts. uPlot's stylesheet (uplot/dist/uPlot.min.css) must be on
 * the page.
 */
import uPlot from 'uplot';
import { clampRange, isZoomed, panRange, type Range, zoomRange } from '../common/chart-zoom.js';
import { h } from './dom.js';

export interface ChartSeriesSpec {
  label: string;
  /** Said after each value in the legend and on the axis, e.g. "ms". */
  unit: string;
  colour: string;
  /** Which y axis: each side carries its own scale (two units on one chart). */
  side: 'left' | 'right';
  /** How it is drawn: a line, steps (a value that holds until the next), or bars. */
  style?: 'line' | 'steps' | 'bars';
  /** Digits after the point in the legend (default 0). */
  digits?: number;
}

export interface ChartSpec {
  /** Test id of the chart's root element. */
  testId: string;
  /** What the chart shows, for screen readers and the chart's title line. */
  title: string;
  /** The x axis: seconds since the epoch (`time`), or a plain number with its name. */
  x: { time: true } | { time: false; label: string };
  series: ChartSeriesSpec[];
  /** The y axes' names, where the first series on that side does not name it well (several share it). */
  axisLabels?: { left?: string; right?: string };
  height: number;
}

const THEME = {
  axis: '#a0a0a0',
  grid: 'rgba(255, 255, 255, 0.07)',
  font: '11px system-ui, sans-serif',
  labelFont: '11px system-ui, sans-serif',
};
/** Wheel notches zoom by this factor each. */
const WHEEL_ZOOM = 0.8;
/** Shift+arrow pans by this fraction of the view. */
const PAN_STEP = 0.25;

/** Digits after the point that tell axis labels `step` apart (0.25 ms steps need two). */
function digitsFor(step: number): number {
  return step > 0 && step < 1 ? Math.min(6, Math.ceil(-Math.log10(step))) : 0;
}

function formatNumber(value: number, digits: number): string {
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export class Chart {
  readonly element: HTMLElement;
  private readonly plot: uPlot;
  private readonly resetButton: HTMLButtonElement;
  private readonly resize: ResizeObserver;
  /** The x range the owner asked to show (the timeline's visible span), when it asked for one. */
  private preferred: Range | undefined;
  private bounds: Range = { min: 0, max: 1 };
  /** The user zoomed (drag, wheel, keys): the owner's preferred range no longer applies. */
  private userZoomed = false;
  /** Set while the chart itself moves the x scale, so its setScale hook does not read it as the user's. */
  private settingScale = false;
  /** The x span shown around a single point: a minute of a time axis, one unit of any other. */
  private readonly pointSpan: number;

  constructor(spec: ChartSpec) {
    this.pointSpan = spec.x.time ? 60 : 1;
    this.resetButton = h(
      'button',
      {
        class: 'ph-chart-reset',
        type: 'button',
        hidden: true,
        'data-testid': `${spec.testId}-reset`,
        onclick: () => this.resetZoom(),
      },
      'Reset zoom',
    );
    const target = h('div', { class: 'ph-chart-plot' });
    this.element = h(
      'div',
      {
        class: 'ph-chart',
        tabindex: 0,
        role: 'figure',
        'aria-label': `${spec.title}. Across: ${spec.x.time ? 'time' : spec.x.label}. Up: ${spec.series
          .map((s) => `${s.label}${s.unit ? ` (${s.unit})` : ''}`)
          .join(', ')}. Drag, the wheel, or + and − zoom; 0 resets; arrows step through the points.`,
        'data-testid': spec.testId,
      },
      h(
        'div',
        { class: 'ph-chart-head' },
        h('span', { class: 'ph-chart-title' }, spec.title),
        this.resetButton,
      ),
      target,
    );
    const left = spec.series.find((s) => s.side === 'left');
    const right = spec.series.find((s) => s.side === 'right');
    const axis = (s: ChartSeriesSpec): uPlot.Axis => ({
      scale: s.side,
      side: s.side === 'left' ? 3 : 1,
      stroke: THEME.axis,
      font: THEME.font,
      labelFont: THEME.labelFont,
      label: spec.axisLabels?.[s.side] ?? `${s.label}${s.unit ? ` (${s.unit})` : ''}`,
      labelSize: 16,
      size: 48,
      grid: { show: s.side === 'left', stroke: THEME.grid, width: 1 },
      ticks: { show: false },
      values: (_u, splits, _axis, _space, step) =>
        splits.map((v) => (v === null ? '' : formatNumber(v, digitsFor(step)))),
    });
    const xAxis: uPlot.Axis = {
      stroke: THEME.axis,
      font: THEME.font,
      labelFont: THEME.labelFont,
      grid: { stroke: THEME.grid, width: 1 },
      ticks: { show: false },
      ...(spec.x.time
        ? {}
        : {
            label: spec.x.label,
            labelSize: 16,
            values: (_u: uPlot, splits: number[]) => splits.map((v) => formatNumber(v, 0)),
          }),
    };
    const pathOf = (style: ChartSeriesSpec['style']) =>
      style === 'steps'
        ? uPlot.paths.stepped!({ align: 1 })
        : style === 'bars'
          ? uPlot.paths.bars!({ size: [0.6, 24] })
          : undefined;
    const options: uPlot.Options = {
      width: 300,
      height: spec.height,
      scales: {
        x: { time: spec.x.time },
        left: { auto: true },
        right: { auto: true },
      },
      axes: [xAxis, ...(left ? [axis(left)] : []), ...(right ? [axis(right)] : [])],
      series: [
        spec.x.time ? {} : { label: spec.x.label, value: (_u, v) => (v === null ? '—' : formatNumber(v, 0)) },
        ...spec.series.map(
          (s): uPlot.Series => ({
            label: s.label,
            scale: s.side,
            stroke: s.colour,
            fill: s.style === 'bars' ? s.colour : undefined,
            width: 1.5,
            spanGaps: false,
            points: { show: s.style !== 'bars', size: 4 },
            paths: pathOf(s.style),
            value: (_u, v) =>
              v === null || v === undefined ? '—' : `${formatNumber(v, s.digits ?? 0)} ${s.unit}`,
          }),
        ),
      ],
      cursor: { drag: { x: true, y: false }, points: { size: 7 } },
      legend: { live: true },
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== 'x' || this.settingScale) return;
            const { min, max } = u.scales.x!;
            if (min === undefined || max === undefined) return;
            this.userZoomed = isZoomed({ min, max }, this.bounds);
            this.showReset();
          },
        ],
      },
    };
    this.plot = new uPlot(options, [[]], target);
    this.plot.over.addEventListener('wheel', (event) => this.wheel(event), { passive: false });
    this.plot.over.addEventListener('dblclick', () => this.resetZoom());
    this.element.addEventListener('keydown', (event) => this.key(event));
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(this.element);
  }

  /** Columns as uPlot aligns them: x first (ascending), then one per series (null: a gap). */
  setData(columns: (number | null)[][]): void {
    const xs = columns[0] as number[];
    this.bounds = xs.length > 0 ? { min: xs[0]!, max: xs.at(-1)! } : { min: 0, max: 1 };
    // uPlot keeps the x range across setData only when told not to reset scales.
    const keep = this.userZoomed ? this.xRange() : this.preferred;
    this.plot.setData(columns as uPlot.AlignedData, keep === undefined);
    if (keep) this.setX(clampRange(keep, this.bounds));
    else if (xs.length === 1) this.setX(this.bounds);
    this.element.dataset.points = String(xs.length);
  }

  /**
   * The owner's x range (the timeline's visible span): shown unless the user zoomed the chart
   * itself; undefined shows all the data.
   */
  showRange(range: Range | undefined): void {
    this.preferred = range;
    if (this.userZoomed) return;
    if (range) this.setX(clampRange(range, this.bounds));
    else this.setX(this.bounds);
  }

  resetZoom(): void {
    this.userZoomed = false;
    this.showRange(this.preferred);
    this.showReset();
  }

  dispose(): void {
    this.resize.disconnect();
    this.plot.destroy();
    this.element.remove();
  }

  private xRange(): Range {
    const { min, max } = this.plot.scales.x!;
    return { min: min ?? this.bounds.min, max: max ?? this.bounds.max };
  }

  private setX(asked: Range): void {
    // One point alone spans nothing, which uPlot would widen to years on a time axis (its date
    // labels then written over each other): it is shown in the middle of a span of its own.
    const range =
      asked.max > asked.min
        ? asked
        : { min: asked.min - this.pointSpan / 2, max: asked.max + this.pointSpan / 2 };
    if (!(range.max > range.min)) return;
    this.settingScale = true;
    try {
      this.plot.setScale('x', range);
    } finally {
      this.settingScale = false;
    }
  }

  /** Zooms or pans as the user asked: from here on the owner's range no longer applies. */
  private userSetX(range: Range): void {
    this.setX(range);
    this.userZoomed = isZoomed(this.xRange(), this.bounds);
    this.showReset();
  }

  private showReset(): void {
    this.resetButton.hidden = !this.userZoomed;
  }

  private fit(): void {
    const width = Math.max(120, Math.floor(this.element.clientWidth));
    if (width !== this.plot.width) this.plot.setSize({ width, height: this.plot.height });
  }

  private wheel(event: WheelEvent): void {
    event.preventDefault();
    const anchor = this.plot.posToVal(event.offsetX, 'x');
    const factor = event.deltaY > 0 ? 1 / WHEEL_ZOOM : WHEEL_ZOOM;
    this.userSetX(zoomRange(this.xRange(), factor, anchor, this.bounds));
  }

  private key(event: KeyboardEvent): void {
    const range = this.xRange();
    const xs = this.plot.data[0];
    const cursor = this.plot.cursor.idx;
    const centre = cursor !== null && cursor !== undefined ? xs[cursor]! : (range.min + range.max) / 2;
    switch (event.key) {
      case '+':
      case '=':
        this.userSetX(zoomRange(range, 0.5, centre, this.bounds));
        break;
      case '-':
        this.userSetX(zoomRange(range, 2, centre, this.bounds));
        break;
      case '0':
        this.resetZoom();
        break;
      case 'ArrowLeft':
      case 'ArrowRight': {
        const forward = event.key === 'ArrowRight';
        if (event.shiftKey) this.userSetX(panRange(range, forward ? PAN_STEP : -PAN_STEP, this.bounds));
        else this.stepCursor(forward);
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  }

  /** Moves the hover cursor to the next (or previous) point in view, as the pointer would. */
  private stepCursor(forward: boolean): void {
    const xs = this.plot.data[0];
    if (xs.length === 0) return;
    const { min, max } = this.xRange();
    const at = this.plot.cursor.idx;
    let i = at === null || at === undefined ? (forward ? -1 : xs.length) : at;
    do i += forward ? 1 : -1;
    while (i >= 0 && i < xs.length && (xs[i]! < min || xs[i]! > max));
    if (i < 0 || i >= xs.length) return;
    this.plot.setCursor({
      left: this.plot.valToPos(xs[i]!, 'x'),
      top: this.plot.bbox.height / devicePixelRatio / 2,
    });
  }
}
