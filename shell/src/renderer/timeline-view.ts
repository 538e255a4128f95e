/**
 * The timeline's canvas: kernel generations and machine checkpoints on one time axis, one
 * lane per branch, with zoom (wheel, around the pointer) and pan (drag, or shift+wheel), a
 * "you are here" marker, a tooltip with the generation's stats, and selection of two points
 * (click, shift+click). Drawing walks only the visible range and, when points are denser than
 * pixels, marks pixel columns instead of drawing dots, so 10,000 generations pan smoothly.
 */
import type { Timeline } from '../common/api.js';
import {
  layoutTimeline,
  nearestGeneration,
  type TimelineLayout,
  visibleRange,
} from '../common/timeline-layout.js';

const AXIS_HEIGHT = 22;
const CHECKPOINT_ROW = 36;
const FIRST_LANE = 58;
const LANE_SPACING = 22;
const DOT_RADIUS = 3.5;
/** Below this many pixels per generation, columns are marked instead of dots drawn. */
const DOT_MIN_SPACING_PX = 5;
/** A fork reaching further than this past the view is drawn only where it crosses the view. */
const FORK_CLIP_PX = 40;
/** How close (in pixels) the pointer must be to a generation to hover it. */
const HOVER_TOLERANCE_PX = 8;
const MIN_SPAN_MS = 50;

/**
 * Formatters are made once: `toLocaleTimeString` and friends build a new Intl formatter on
 * every call, which made formatting a dozen axis labels most of a frame's script time.
 */
let formatters:
  | {
      seconds: Intl.DateTimeFormat;
      minutes: Intl.DateTimeFormat;
      days: Intl.DateTimeFormat;
      dateTime: Intl.DateTimeFormat;
      integer: Intl.NumberFormat;
      kibibytes: Intl.NumberFormat;
    }
  | undefined;

function format() {
  formatters ??= {
    seconds: new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
    minutes: new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }),
    days: new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'numeric', day: 'numeric' }),
    dateTime: new Intl.DateTimeFormat(undefined, {
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }),
    integer: new Intl.NumberFormat(),
    kibibytes: new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }),
  };
  return formatters;
}

/** Axis steps, from a second to a day: the smallest that keeps labels ~110 px apart is used. */
const AXIS_STEPS_MS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400,
].map((s) => s * 1000);

const colors = {
  axis: '#6e6e6e',
  text: '#a0a0a0',
  lanes: ['#7aa2f7', '#bb9af7', '#7dcfff', '#9ece6a', '#e0af68'],
  abandoned: '#5a5a5a',
  checkpoint: '#e0af68',
  here: '#9ece6a',
  selection: ['#ff9e64', '#f7768e'],
};

export interface TimelineSelection {
  /** Indexes into the layout's generations; the first click sets `a`, shift+click `b`. */
  a: number;
  b: number;
}

export class TimelineView {
  readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly tooltip: HTMLElement;
  private layout: TimelineLayout = layoutTimeline({ generations: [], checkpoints: [], current: null });
  private viewStart = 0;
  private viewEnd = 1;
  private width = 0;
  private height = 0;
  private frameRequested = false;
  private hover = -1;
  private drag: { x: number; start: number; end: number; moved: boolean } | undefined;
  readonly selection: TimelineSelection = { a: -1, b: -1 };
  private readonly selectionListeners = new Set<(selection: TimelineSelection) => void>();
  /** The lane of the current generation; the other lanes (abandoned branches) are dimmed. */
  private activeLane = 0;
  /** Until the user zooms or pans, the view keeps the whole history in sight as it grows. */
  private followHistory = true;
  /** While the pointer is over the canvas the view holds still, so points do not move under it. */
  private pointerInside = false;
  /** Which pixel columns of each lane hold a generation; kept between frames to spare the GC. */
  private columns = new Uint8Array(0);
  /** Label widths by font and text: measuring text is slow, and the labels repeat every frame. */
  private readonly labelWidths = new Map<string, number>();

  constructor(container: HTMLElement) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'timeline-canvas';
    this.canvas.dataset.testid = 'timeline-canvas';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Timeline of kernel generations and machine checkpoints');
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'timeline-tooltip';
    this.tooltip.dataset.testid = 'timeline-tooltip';
    this.tooltip.hidden = true;
    container.append(this.canvas, this.tooltip);
    this.context = this.canvas.getContext('2d', { alpha: false })!;
    new ResizeObserver(() => this.resize()).observe(container);
    this.canvas.addEventListener('wheel', (event) => this.wheel(event), { passive: false });
    this.canvas.addEventListener('pointerdown', (event) => this.pointerDown(event));
    this.canvas.addEventListener('pointermove', (event) => this.pointerMove(event));
    this.canvas.addEventListener('pointerup', (event) => this.pointerUp(event));
    this.canvas.addEventListener('pointerenter', () => {
      this.pointerInside = true;
    });
    this.canvas.addEventListener('pointerleave', () => {
      this.pointerInside = false;
      this.setHover(-1);
    });
  }

  setTimeline(timeline: Timeline): void {
    const keep = [this.selection.a, this.selection.b, this.hover].map((i) => this.layout.generations[i]?.id);
    this.layout = layoutTimeline(timeline);
    const indexOf = (id: number | undefined) =>
      id === undefined ? -1 : (this.layout.indexById.get(id) ?? -1);
    this.selection.a = indexOf(keep[0]);
    this.selection.b = indexOf(keep[1]);
    // The hovered generation keeps its tooltip (its stats do not change) under its new index.
    this.hover = indexOf(keep[2]);
    if (this.hover < 0) this.tooltip.hidden = true;
    this.activeLane = this.layout.currentIndex >= 0 ? this.layout.lanes[this.layout.currentIndex]! : 0;
    if (this.followHistory && !this.pointerInside) this.zoomToFit();
    this.requestDraw();
    this.emitSelection();
  }

  get model(): TimelineLayout {
    return this.layout;
  }

  /** The visible time span, for the plot beside the canvas. */
  get visibleSpan(): [number, number] {
    return [this.viewStart, this.viewEnd];
  }

  onSelectionChange(listener: (selection: TimelineSelection) => void): void {
    this.selectionListeners.add(listener);
  }

  onViewChange: () => void = () => {};

  zoomToFit(): void {
    this.followHistory = true;
    const { start, end } = this.layout;
    const margin = Math.max((end - start) * 0.03, MIN_SPAN_MS);
    this.viewStart = start - margin;
    this.viewEnd = end + margin;
    this.requestDraw();
  }

  /** Zooms by `factor` (< 1 zooms in) around the time under pixel `x`. */
  zoom(factor: number, x = this.width / 2): void {
    this.followHistory = false;
    const span = this.viewEnd - this.viewStart;
    const anchor = this.viewStart + (x / Math.max(this.width, 1)) * span;
    const newSpan = Math.max(MIN_SPAN_MS, span * factor);
    this.viewStart = anchor - ((anchor - this.viewStart) / span) * newSpan;
    this.viewEnd = this.viewStart + newSpan;
    this.requestDraw();
  }

  pan(pixels: number): void {
    this.followHistory = false;
    const shift = (pixels / Math.max(this.width, 1)) * (this.viewEnd - this.viewStart);
    this.viewStart += shift;
    this.viewEnd += shift;
    this.requestDraw();
  }

  private resize(): void {
    const rect = this.canvas.parentElement!.getBoundingClientRect();
    this.width = Math.max(1, Math.floor(rect.width));
    this.height = Math.max(1, Math.floor(rect.height));
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = this.width * ratio;
    this.canvas.height = this.height * ratio;
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    this.context.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.draw();
  }

  private requestDraw(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.draw();
      this.onViewChange();
    });
  }

  private x(time: number): number {
    return ((time - this.viewStart) / (this.viewEnd - this.viewStart)) * this.width;
  }

  private timeAt(x: number): number {
    return this.viewStart + (x / Math.max(this.width, 1)) * (this.viewEnd - this.viewStart);
  }

  private laneY(lane: number): number {
    return FIRST_LANE + lane * LANE_SPACING;
  }

  private draw(): void {
    const ctx = this.context;
    const { layout } = this;
    ctx.fillStyle = '#1e1e1e';
    ctx.fillRect(0, 0, this.width, this.height);
    if (layout.generations.length === 0 && layout.checkpoints.length === 0) {
      ctx.fillStyle = colors.text;
      ctx.font = '12px system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      ctx.fillText('Kernel generations and machine checkpoints appear here once a machine runs.', 14, 30);
      return;
    }
    this.drawAxis();
    const [from, to] = visibleRange(layout.times, this.viewStart, this.viewEnd);
    const perPixel = (to - from) / Math.max(this.width, 1);
    // Lanes: a line from each lane's first to its last generation.
    ctx.lineWidth = 2;
    for (let lane = 0; lane < layout.laneCount; lane++) {
      if (Number.isNaN(layout.laneStart[lane]!)) continue;
      ctx.strokeStyle = this.laneColor(lane);
      ctx.globalAlpha = lane === this.activeLane ? 0.7 : 0.35;
      const y = this.laneY(lane);
      ctx.beginPath();
      ctx.moveTo(Math.max(-10, this.x(layout.laneStart[lane]!)), y);
      ctx.lineTo(Math.min(this.width + 10, this.x(layout.laneEnd[lane]!)), y);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    // Forks: where a rollback left the old branch.
    for (const { parentIndex, childIndex } of layout.forks) {
      const x0 = this.x(layout.times[parentIndex]!);
      const y0 = this.laneY(layout.lanes[parentIndex]!);
      const x1 = this.x(layout.times[childIndex]!);
      const y1 = this.laneY(layout.lanes[childIndex]!);
      if (Math.max(x0, x1) < -20 || Math.min(x0, x1) > this.width + 20) continue;
      ctx.strokeStyle = this.laneColor(layout.lanes[childIndex]!);
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      if (Math.min(x0, x1) < -FORK_CLIP_PX || Math.max(x0, x1) > this.width + FORK_CLIP_PX) {
        // Zoomed in far, the curve is a straight line across the view; only the part in view is
        // drawn, since dashing a path millions of pixels long costs the rasteriser seconds.
        const yAt = (x: number) => y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
        const left = Math.max(-FORK_CLIP_PX, Math.min(x0, x1));
        const right = Math.min(this.width + FORK_CLIP_PX, Math.max(x0, x1));
        ctx.moveTo(left, yAt(left));
        ctx.lineTo(right, yAt(right));
      } else {
        ctx.moveTo(x0, y0);
        ctx.bezierCurveTo(x0 + 20, y0, x1 - 20, y1, x1, y1);
      }
      ctx.stroke();
      ctx.setLineDash([]);
    }
    // Generations: dots when there is room, else one mark per pixel column per lane.
    if (perPixel * layout.laneCount > 1 / DOT_MIN_SPACING_PX) this.drawColumns(from, to);
    else this.drawDots(from, to);
    this.drawCheckpoints();
    this.drawMarker(layout.currentIndex, colors.here, 'you are here');
    this.drawMarker(this.selection.a, colors.selection[0]!, 'A');
    this.drawMarker(this.selection.b, colors.selection[1]!, 'B');
    if (this.hover >= 0) {
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(
        this.x(layout.times[this.hover]!),
        this.laneY(layout.lanes[this.hover]!),
        DOT_RADIUS + 2,
        0,
        Math.PI * 2,
      );
      ctx.stroke();
    }
  }

  /** Marks the pixel columns holding a generation, one rectangle per run of marked columns. */
  private drawColumns(from: number, to: number): void {
    const { layout, width } = this;
    const size = width * layout.laneCount;
    if (this.columns.length < size) this.columns = new Uint8Array(size);
    const columns = this.columns;
    columns.fill(0, 0, size);
    const scale = width / (this.viewEnd - this.viewStart);
    for (let i = from; i < to; i++) {
      const x = Math.floor((layout.times[i]! - this.viewStart) * scale);
      if (x >= 0 && x < width) columns[layout.lanes[i]! * width + x] = 1;
    }
    const ctx = this.context;
    for (let lane = 0; lane < layout.laneCount; lane++) {
      ctx.fillStyle = this.laneColor(lane);
      const y = this.laneY(lane);
      const row = lane * width;
      for (let x = 0; x < width; x++) {
        if (!columns[row + x]) continue;
        const runStart = x;
        while (x + 1 < width && columns[row + x + 1]) x++;
        ctx.fillRect(runStart, y - 5, x + 1 - runStart, 10);
      }
    }
  }

  /** A dot per generation, one path per lane. */
  private drawDots(from: number, to: number): void {
    const { layout } = this;
    const ctx = this.context;
    for (let lane = 0; lane < layout.laneCount; lane++) {
      const y = this.laneY(lane);
      ctx.beginPath();
      for (let i = from; i < to; i++) {
        if (layout.lanes[i] !== lane) continue;
        const x = this.x(layout.times[i]!);
        ctx.moveTo(x + DOT_RADIUS, y);
        ctx.arc(x, y, DOT_RADIUS, 0, Math.PI * 2);
      }
      ctx.fillStyle = this.laneColor(lane);
      ctx.fill();
    }
  }

  /** The width of `label` in the context's current font, measured once per font and text. */
  private labelWidth(label: string): number {
    const key = `${this.context.font}\u0000${label}`;
    let width = this.labelWidths.get(key);
    if (width === undefined) {
      width = this.context.measureText(label).width;
      this.labelWidths.set(key, width);
    }
    return width;
  }

  private laneColor(lane: number): string {
    if (lane !== this.activeLane && this.layout.currentIndex >= 0) return colors.abandoned;
    return colors.lanes[lane % colors.lanes.length]!;
  }

  private drawAxis(): void {
    const ctx = this.context;
    const span = this.viewEnd - this.viewStart;
    const target = span / Math.max(1, this.width / 110);
    const step = AXIS_STEPS_MS.find((s) => s >= target) ?? 86_400_000 * Math.ceil(target / 86_400_000);
    const { seconds, minutes, days } = format();
    const labels = step >= 86_400_000 ? days : step < 60_000 ? seconds : minutes;
    ctx.fillStyle = colors.text;
    ctx.strokeStyle = '#333';
    ctx.lineWidth = 1;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    // The grid lines are one path, stroked once: the rasteriser's cost is per stroke.
    ctx.beginPath();
    for (let t = Math.ceil(this.viewStart / step) * step; t <= this.viewEnd; t += step) {
      const x = Math.round(this.x(t)) + 0.5;
      ctx.moveTo(x, AXIS_HEIGHT - 4);
      ctx.lineTo(x, this.height);
      ctx.fillText(labels.format(t), x + 4, AXIS_HEIGHT / 2);
    }
    ctx.stroke();
  }

  private drawCheckpoints(): void {
    const ctx = this.context;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const checkpoint of this.layout.checkpoints) {
      const x = this.x(checkpoint.time);
      if (x < -100 || x > this.width + 10) continue;
      ctx.fillStyle = colors.checkpoint;
      ctx.beginPath();
      ctx.moveTo(x, CHECKPOINT_ROW - 6);
      ctx.lineTo(x + 6, CHECKPOINT_ROW);
      ctx.lineTo(x, CHECKPOINT_ROW + 6);
      ctx.lineTo(x - 6, CHECKPOINT_ROW);
      ctx.closePath();
      ctx.fill();
      ctx.fillText(checkpoint.name, x + 9, CHECKPOINT_ROW);
    }
  }

  private drawMarker(index: number, color: string, label: string): void {
    if (index < 0) return;
    const x = this.x(this.layout.times[index]!);
    if (x < -50 || x > this.width + 50) return;
    const ctx = this.context;
    const y = this.laneY(this.layout.lanes[index]!);
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(x, AXIS_HEIGHT);
    ctx.lineTo(x, this.height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.arc(x, y, DOT_RADIUS + 1.5, 0, Math.PI * 2);
    ctx.fill();
    ctx.font = '600 11px system-ui, sans-serif';
    const width = this.labelWidth(label) + 10;
    const top = this.height - 20;
    ctx.fillRect(Math.min(x + 4, this.width - width), top, width, 16);
    ctx.fillStyle = '#1e1e1e';
    ctx.fillText(label, Math.min(x + 4, this.width - width) + 5, top + 8);
  }

  private hitTest(event: PointerEvent): number {
    const rect = this.canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const lane = Math.round((y - FIRST_LANE) / LANE_SPACING);
    if (lane < 0 || lane >= this.layout.laneCount || Math.abs(y - this.laneY(lane)) > LANE_SPACING / 2)
      return -1;
    const tolerance = (HOVER_TOLERANCE_PX / Math.max(this.width, 1)) * (this.viewEnd - this.viewStart);
    return nearestGeneration(this.layout, this.timeAt(x), lane, tolerance);
  }

  private wheel(event: WheelEvent): void {
    event.preventDefault();
    const rect = this.canvas.getBoundingClientRect();
    if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY))
      this.pan(event.deltaX || event.deltaY);
    else this.zoom(Math.exp(event.deltaY * 0.002), event.clientX - rect.left);
  }

  private pointerDown(event: PointerEvent): void {
    this.canvas.setPointerCapture(event.pointerId);
    this.drag = { x: event.clientX, start: this.viewStart, end: this.viewEnd, moved: false };
  }

  private pointerMove(event: PointerEvent): void {
    if (this.drag) {
      const dx = event.clientX - this.drag.x;
      if (Math.abs(dx) > 3) this.drag.moved = true;
      if (this.drag.moved) {
        this.followHistory = false;
        const shift = (dx / Math.max(this.width, 1)) * (this.drag.end - this.drag.start);
        this.viewStart = this.drag.start - shift;
        this.viewEnd = this.drag.end - shift;
        this.tooltip.hidden = true;
        this.requestDraw();
        return;
      }
    }
    this.setHover(this.hitTest(event), event);
  }

  private pointerUp(event: PointerEvent): void {
    const drag = this.drag;
    this.drag = undefined;
    if (drag?.moved) return;
    const index = this.hitTest(event);
    if (index < 0) return;
    if (event.shiftKey && this.selection.a >= 0) this.selection.b = index;
    else {
      this.selection.a = index;
      this.selection.b = -1;
    }
    this.emitSelection();
    this.requestDraw();
  }

  private emitSelection(): void {
    for (const listener of this.selectionListeners) listener(this.selection);
  }

  private setHover(index: number, event?: PointerEvent): void {
    if (index === this.hover) {
      if (index >= 0 && event) this.placeTooltip(event);
      return;
    }
    this.hover = index;
    this.requestDraw();
    if (index < 0 || !event) {
      this.tooltip.hidden = true;
      return;
    }
    const g = this.layout.generations[index]!;
    const { dateTime, integer, kibibytes } = format();
    this.tooltip.replaceChildren();
    const title = document.createElement('strong');
    title.textContent = `Generation ${g.id}${index === this.layout.currentIndex ? ' (you are here)' : ''}`;
    const rows: [string, string][] = [
      ['committed', dateTime.format(g.time)],
      ['snapshot pause', g.pauseMs === null ? 'not recorded' : `${g.pauseMs.toFixed(2)} ms`],
      ['dirty pages', g.dirtyPages === null ? 'not recorded' : integer.format(g.dirtyPages)],
      ['objects', g.objects === null ? 'not recorded' : integer.format(g.objects)],
      ['object space', g.bytes === null ? 'not recorded' : `${kibibytes.format(g.bytes / 1024)} KiB`],
      ['parent', g.parent === null ? '—' : String(g.parent)],
    ];
    const table = document.createElement('dl');
    for (const [name, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = value;
      table.append(dt, dd);
    }
    this.tooltip.append(title, table);
    this.tooltip.hidden = false;
    this.placeTooltip(event);
  }

  private placeTooltip(event: PointerEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    this.tooltip.style.left = `${Math.min(x + 14, this.width - 230)}px`;
    this.tooltip.style.top = `${Math.max(4, event.clientY - rect.top - 40)}px`;
  }
}
