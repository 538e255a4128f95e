/**
 * The timeline's canvas: kernel generations and machine checkpoints on one time axis, one
 * lane per branch, with zoom (wheel, around the pointer; keys and buttons, around the selection or
 * "you are here") and pan (drag, or shift+wheel), idle gaps folded (timeline-scale.ts), a
 * "you are here" marker, a tooltip with the generation's or checkpoint's details, and selection
 * of two generations (click, shift+click) or of a checkpoint — by keyboard too, once focused
 * (timeline-navigation.ts). Generations no longer on the store disk are drawn hollow: their
 * record stays, they cannot be restored. Damaged generations (the kernel will not resume them) are
 * crossed out in red, and their tooltip says why. Drawing walks only the visible range and, when
 * points are denser than pixels, marks pixel columns instead of drawing dots, so 10,000
 * generations pan smoothly.
 */
import type { Timeline } from '../common/api.js';
import { checkpointLabel, generationLabel } from '../common/snapshot-tree.js';
import {
  layoutTimeline,
  nearestGeneration,
  type TimelineLayout,
  visibleRange,
} from '../common/timeline-layout.js';
import { moveSelection, type TimelineMove } from '../common/timeline-navigation.js';
import { foldIdleGaps, formatGap, type TimeScale, UNFOLDED, zoomAround } from '../common/timeline-scale.js';

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
/** A checkpoint is hit on its diamond or its name, within this many pixels of the row. */
const CHECKPOINT_HIT_PX = 9;
const CHECKPOINT_FONT = '11px system-ui, sans-serif';
/** A checkpoint's name starts this far right of its diamond's centre. */
const CHECKPOINT_NAME_OFFSET = 9;
const MIN_SPAN_MS = 50;

/** The keys the focused timeline answers (besides + − 0 and Escape), and where each moves. */
const MOVE_KEYS: Record<string, TimelineMove> = {
  ArrowLeft: 'previous',
  ArrowRight: 'next',
  ArrowUp: 'up',
  ArrowDown: 'down',
  Home: 'first',
  End: 'last',
  h: 'here',
};

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
  fold: 'rgba(255, 255, 255, 0.05)',
  checkpoint: '#e0af68',
  here: '#9ece6a',
  selection: ['#ff9e64', '#f7768e'],
  damaged: '#f7768e',
};

export interface TimelineSelection {
  /** Indexes into the layout's generations; the first click sets `a`, shift+click `b`. */
  a: number;
  b: number;
  /** Index into the layout's checkpoints, when a checkpoint is selected instead (else -1). */
  checkpoint: number;
}

/** What the pointer is over: a generation or a checkpoint, by index. */
type Hit = { kind: 'generation'; index: number } | { kind: 'checkpoint'; index: number } | undefined;

export class TimelineView {
  readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly tooltip: HTMLElement;
  private layout: TimelineLayout = layoutTimeline({ generations: [], checkpoints: [], current: null });
  /** Wall time to the axis the view spans: idle gaps folded. */
  private scale: TimeScale = UNFOLDED;
  /** The visible span on the axis (not wall time: see timeline-scale.ts). */
  private viewStart = 0;
  private viewEnd = 1;
  private width = 0;
  private height = 0;
  private frameRequested = false;
  private hover = -1;
  private hoverCheckpoint = -1;
  private drag: { x: number; start: number; end: number; moved: boolean } | undefined;
  readonly selection: TimelineSelection = { a: -1, b: -1, checkpoint: -1 };
  private readonly selectionListeners = new Set<(selection: TimelineSelection) => void>();
  private readonly menuListeners = new Set<(index: number, x: number, y: number) => void>();
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
    this.canvas.setAttribute(
      'aria-label',
      'Timeline of kernel generations and machine checkpoints. Arrow keys choose a generation (shift: a second to compare), Home and End the ends of its branch, H "you are here", plus and minus zoom around the choice, 0 shows all.',
    );
    // Reached with Tab like any control.
    this.canvas.tabIndex = 0;
    this.canvas.addEventListener('keydown', (event) => this.keyDown(event));
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
    this.canvas.addEventListener('contextmenu', (event) => this.contextMenu(event));
    this.canvas.addEventListener('pointerenter', () => {
      this.pointerInside = true;
    });
    this.canvas.addEventListener('pointerleave', () => {
      this.pointerInside = false;
      this.setHover(undefined);
    });
  }

  setTimeline(timeline: Timeline): void {
    const [a, b, checkpoint] = this.selectedKeys();
    // The view keeps its wall times while the folds change under it.
    const [from, to] = this.visibleSpan;
    this.layout = layoutTimeline(timeline);
    this.scale = foldIdleGaps([...this.layout.times, ...this.layout.checkpoints.map((c) => c.time)]);
    this.viewStart = this.scale.toAxis(from);
    this.viewEnd = this.scale.toAxis(to);
    this.selection.a = a === undefined ? -1 : (this.layout.indexById.get(a) ?? -1);
    this.selection.b = b === undefined ? -1 : (this.layout.indexById.get(b) ?? -1);
    this.selection.checkpoint = this.layout.checkpoints.findIndex((c) => c.name === checkpoint);
    this.activeLane = this.layout.currentIndex >= 0 ? this.layout.lanes[this.layout.currentIndex]! : 0;
    if (this.followHistory && !this.pointerInside) this.zoomToFit();
    this.requestDraw();
    // A refresh (one a generation) tells the selection's listeners only when it changed what is
    // selected, by dropping it: each of them reloads the inspector.
    const after = this.selectedKeys();
    if (after[0] !== a || after[1] !== b || after[2] !== checkpoint) this.emitSelection();
  }

  /** What is selected, by the generations' ids and the checkpoint's name (indexes change on refresh). */
  private selectedKeys(): [number | undefined, number | undefined, string | undefined] {
    const { generations, checkpoints } = this.layout;
    return [
      generations[this.selection.a]?.id,
      generations[this.selection.b]?.id,
      checkpoints[this.selection.checkpoint]?.name,
    ];
  }

  get model(): TimelineLayout {
    return this.layout;
  }

  /** The visible span in wall time, for the plot beside the canvas. */
  get visibleSpan(): [number, number] {
    return [this.scale.toTime(this.viewStart), this.scale.toTime(this.viewEnd)];
  }

  /** Where `time` is across the view, from 0 (left edge) to 1 (right edge): the plot lines up with it. */
  fractionOf(time: number): number {
    return (this.scale.toAxis(time) - this.viewStart) / (this.viewEnd - this.viewStart);
  }

  /** How many axis milliseconds the view spans (folded gaps count as their folded width). */
  get axisSpan(): number {
    return this.viewEnd - this.viewStart;
  }

  /** Selects generation `index` (from the snapshot manager), shows it, and tells the listeners. */
  select(index: number): void {
    if (index < 0 || index >= this.layout.times.length) return;
    this.selection.a = index;
    this.selection.b = -1;
    this.selection.checkpoint = -1;
    this.bringIntoView(this.layout.times[index]!);
    this.emitSelection();
    this.requestDraw();
  }

  /** Selects generations `a` and `b` (indices) as a pair and shows `b`, telling no listener. */
  selectPair(a: number, b: number): void {
    if (a < 0 || b < 0 || a >= this.layout.times.length || b >= this.layout.times.length) return;
    this.selection.a = a;
    this.selection.b = b;
    this.selection.checkpoint = -1;
    this.bringIntoView(this.layout.times[b]!);
    this.requestDraw();
  }

  /** The idle gaps folded (wall-time spans), for the panel's summary. */
  get folds(): readonly { start: number; end: number }[] {
    return this.scale.folds;
  }

  onSelectionChange(listener: (selection: TimelineSelection) => void): void {
    this.selectionListeners.add(listener);
  }

  onViewChange: () => void = () => {};

  zoomToFit(): void {
    this.followHistory = true;
    const start = this.scale.toAxis(this.layout.start);
    const end = this.scale.toAxis(this.layout.end);
    const margin = Math.max((end - start) * 0.03, MIN_SPAN_MS);
    this.viewStart = start - margin;
    this.viewEnd = end + margin;
    this.requestDraw();
  }

  /**
   * Zooms by `factor` (< 1 zooms in) around the time under pixel `x`, or without one around what
   * matters: the selection, else "you are here", else the middle.
   */
  zoom(factor: number, x?: number): void {
    this.followHistory = false;
    const span = this.viewEnd - this.viewStart;
    const focus = this.focusTime();
    const anchor =
      x !== undefined || focus === undefined
        ? this.viewStart + ((x ?? this.width / 2) / Math.max(this.width, 1)) * span
        : this.scale.toAxis(focus);
    [this.viewStart, this.viewEnd] = zoomAround(this.viewStart, this.viewEnd, factor, anchor, MIN_SPAN_MS);
    this.requestDraw();
  }

  /** The time zooming centres on: the selected generation or checkpoint, else "you are here". */
  private focusTime(): number | undefined {
    const { times, checkpoints, currentIndex } = this.layout;
    const index = this.selection.b >= 0 ? this.selection.b : this.selection.a;
    if (index >= 0) return times[index];
    if (this.selection.checkpoint >= 0) return checkpoints[this.selection.checkpoint]!.time;
    return currentIndex >= 0 ? times[currentIndex] : undefined;
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
    return this.fractionOf(time) * this.width;
  }

  private timeAt(x: number): number {
    return this.scale.toTime(
      this.viewStart + (x / Math.max(this.width, 1)) * (this.viewEnd - this.viewStart),
    );
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
    this.drawFolds();
    const [from, to] = visibleRange(layout.times, ...this.visibleSpan);
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

  /**
   * Marks the pixel columns holding a generation, one rectangle per run of equal columns: a full
   * mark where some generation in the column is on the disk, a short one where none is any more,
   * and a red one where one on the disk is damaged.
   */
  private drawColumns(from: number, to: number): void {
    const { layout, width } = this;
    const size = width * layout.laneCount;
    if (this.columns.length < size) this.columns = new Uint8Array(size);
    const columns = this.columns;
    columns.fill(0, 0, size);
    for (let i = from; i < to; i++) {
      const x = Math.floor(this.x(layout.times[i]!));
      if (x < 0 || x >= width) continue;
      const cell = layout.lanes[i]! * width + x;
      columns[cell] = Math.max(columns[cell]!, layout.damaged[i] ? 3 : layout.generations[i]!.onDisk ? 2 : 1);
    }
    const ctx = this.context;
    for (let lane = 0; lane < layout.laneCount; lane++) {
      ctx.fillStyle = this.laneColor(lane);
      const y = this.laneY(lane);
      const row = lane * width;
      for (let x = 0; x < width; x++) {
        const column = columns[row + x]!;
        if (!column) continue;
        const runStart = x;
        while (x + 1 < width && columns[row + x + 1] === column) x++;
        if (column === 3) ctx.fillStyle = colors.damaged;
        if (column >= 2) ctx.fillRect(runStart, y - 5, x + 1 - runStart, 10);
        else ctx.fillRect(runStart, y - 2, x + 1 - runStart, 4);
        if (column === 3) ctx.fillStyle = this.laneColor(lane);
      }
    }
  }

  /** A dot per generation, one path per lane and kind: filled on the disk, hollow when gone. */
  private drawDots(from: number, to: number): void {
    const { layout } = this;
    const ctx = this.context;
    ctx.lineWidth = 1.5;
    for (let lane = 0; lane < layout.laneCount; lane++) {
      const y = this.laneY(lane);
      const color = this.laneColor(lane);
      for (const onDisk of [true, false]) {
        ctx.beginPath();
        for (let i = from; i < to; i++) {
          if (layout.lanes[i] !== lane || layout.generations[i]!.onDisk !== onDisk) continue;
          const x = this.x(layout.times[i]!);
          ctx.moveTo(x + DOT_RADIUS, y);
          ctx.arc(x, y, DOT_RADIUS, 0, Math.PI * 2);
        }
        ctx.fillStyle = onDisk ? color : '#1e1e1e';
        ctx.fill();
        if (!onDisk) {
          ctx.strokeStyle = color;
          ctx.stroke();
        }
      }
    }
    this.crossOutDamaged(from, to);
  }

  /** A red cross over each damaged generation's dot. */
  private crossOutDamaged(from: number, to: number): void {
    const { layout } = this;
    const ctx = this.context;
    const r = DOT_RADIUS + 1.5;
    ctx.beginPath();
    for (let i = from; i < to; i++) {
      if (!layout.damaged[i]) continue;
      const x = this.x(layout.times[i]!);
      const y = this.laneY(layout.lanes[i]!);
      ctx.moveTo(x - r, y - r);
      ctx.lineTo(x + r, y + r);
      ctx.moveTo(x + r, y - r);
      ctx.lineTo(x - r, y + r);
    }
    ctx.lineWidth = 2;
    ctx.strokeStyle = colors.damaged;
    ctx.stroke();
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
    // Ticks in wall time on each stretch between folds (a fold hours long is skipped, not walked).
    const [from, to] = this.visibleSpan;
    const stretches: [number, number][] = [];
    let at = from;
    for (const fold of this.scale.folds) {
      if (fold.end < from || fold.start > to) continue;
      if (fold.start > at) stretches.push([at, fold.start]);
      at = Math.max(at, fold.end);
    }
    if (at < to) stretches.push([at, to]);
    // The grid lines are one path, stroked once: the rasteriser's cost is per stroke.
    ctx.beginPath();
    for (const [start, end] of stretches)
      for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
        const x = Math.round(this.x(t)) + 0.5;
        ctx.moveTo(x, AXIS_HEIGHT - 4);
        ctx.lineTo(x, this.height);
        ctx.fillText(labels.format(t), x + 4, AXIS_HEIGHT / 2);
      }
    ctx.stroke();
  }

  /** Each folded idle gap: a shaded band, and how long it was where there is room to say so. */
  private drawFolds(): void {
    const ctx = this.context;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const fold of this.scale.folds) {
      const left = this.x(fold.start);
      const right = this.x(fold.end);
      if (right < 0 || left > this.width) continue;
      ctx.fillStyle = '#1e1e1e';
      ctx.fillRect(left, 0, right - left, AXIS_HEIGHT);
      ctx.fillStyle = colors.fold;
      ctx.fillRect(left, AXIS_HEIGHT, right - left, this.height - AXIS_HEIGHT);
      ctx.strokeStyle = colors.axis;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      for (const x of [left, right]) {
        ctx.moveTo(Math.round(x) + 0.5, 0);
        ctx.lineTo(Math.round(x) + 0.5, this.height);
      }
      ctx.stroke();
      ctx.setLineDash([]);
      const label = `⋯ ${formatGap(fold.end - fold.start)}`;
      if (this.labelWidth(label) + 6 <= right - left) {
        ctx.fillStyle = colors.text;
        ctx.fillText(label, left + 3, AXIS_HEIGHT / 2);
      }
    }
  }

  private drawCheckpoints(): void {
    const ctx = this.context;
    ctx.font = CHECKPOINT_FONT;
    ctx.textBaseline = 'middle';
    this.layout.checkpoints.forEach((checkpoint, index) => {
      const x = this.x(checkpoint.time);
      if (x < -100 || x > this.width + 10) return;
      const selected = index === this.selection.checkpoint;
      if (selected) {
        ctx.strokeStyle = colors.selection[0]!;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(x, CHECKPOINT_ROW + 8);
        ctx.lineTo(x, this.height);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      ctx.fillStyle = selected ? colors.selection[0]! : colors.checkpoint;
      ctx.beginPath();
      ctx.moveTo(x, CHECKPOINT_ROW - 6);
      ctx.lineTo(x + 6, CHECKPOINT_ROW);
      ctx.lineTo(x, CHECKPOINT_ROW + 6);
      ctx.lineTo(x - 6, CHECKPOINT_ROW);
      ctx.closePath();
      ctx.fill();
      if (index === this.hoverCheckpoint) {
        ctx.strokeStyle = '#ffffff';
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
      ctx.fillText(checkpoint.name, x + CHECKPOINT_NAME_OFFSET, CHECKPOINT_ROW);
    });
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

  private hitTest(event: MouseEvent): Hit {
    const rect = this.canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    if (Math.abs(y - CHECKPOINT_ROW) <= CHECKPOINT_HIT_PX) {
      const index = this.checkpointAt(x);
      return index < 0 ? undefined : { kind: 'checkpoint', index };
    }
    const index = this.generationAt(x, y);
    return index < 0 ? undefined : { kind: 'generation', index };
  }

  /**
   * The checkpoint whose diamond or name is under `x` on the checkpoint row (newest first), or -1.
   * Runs on every pointer move over the row: the names' widths come from labelWidth's cache.
   */
  private checkpointAt(x: number): number {
    this.context.font = CHECKPOINT_FONT;
    const { checkpoints } = this.layout;
    for (let i = checkpoints.length - 1; i >= 0; i--) {
      const at = this.x(checkpoints[i]!.time);
      const nameEnd = at + CHECKPOINT_NAME_OFFSET + this.labelWidth(checkpoints[i]!.name);
      if (x >= at - CHECKPOINT_HIT_PX && x <= nameEnd) return i;
    }
    return -1;
  }

  private generationAt(x: number, y: number): number {
    const lane = Math.round((y - FIRST_LANE) / LANE_SPACING);
    if (lane < 0 || lane >= this.layout.laneCount || Math.abs(y - this.laneY(lane)) > LANE_SPACING / 2)
      return -1;
    const tolerance = (HOVER_TOLERANCE_PX / Math.max(this.width, 1)) * (this.viewEnd - this.viewStart);
    return nearestGeneration(this.layout, this.timeAt(x), lane, tolerance);
  }

  /** The keyboard, once the canvas has the focus: choose, compare, zoom around the choice, fit. */
  private keyDown(event: KeyboardEvent): void {
    const move = MOVE_KEYS[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (move) {
      const extend = event.shiftKey && this.selection.a >= 0 && move !== 'here';
      const from = extend && this.selection.b >= 0 ? this.selection.b : this.selection.a;
      const to = moveSelection(this.layout, from, move);
      if (to < 0) return;
      event.preventDefault();
      if (extend) this.selection.b = to === this.selection.a ? -1 : to;
      else {
        this.selection.a = to;
        this.selection.b = -1;
        this.selection.checkpoint = -1;
      }
      this.bringIntoView(this.layout.times[to]!);
      this.emitSelection();
      this.requestDraw();
      return;
    }
    if (event.key === '+' || event.key === '=') this.zoom(0.5);
    else if (event.key === '-' || event.key === '_') this.zoom(2);
    else if (event.key === '0') this.zoomToFit();
    else if (event.key === 'Escape' && (this.selection.a >= 0 || this.selection.checkpoint >= 0)) {
      this.selection.a = -1;
      this.selection.b = -1;
      this.selection.checkpoint = -1;
      this.emitSelection();
      this.requestDraw();
    } else return;
    event.preventDefault();
  }

  /** Pans the least needed to show `time` with a margin. */
  private bringIntoView(time: number): void {
    const axis = this.scale.toAxis(time);
    const span = this.viewEnd - this.viewStart;
    const margin = span * 0.05;
    if (axis >= this.viewStart + margin && axis <= this.viewEnd - margin) return;
    this.followHistory = false;
    const shift =
      axis < this.viewStart + margin ? axis - margin - this.viewStart : axis + margin - this.viewEnd;
    this.viewStart += shift;
    this.viewEnd += shift;
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
    const hit = this.hitTest(event);
    if (!hit) return;
    if (hit.kind === 'checkpoint') {
      this.selection.a = -1;
      this.selection.b = -1;
      this.selection.checkpoint = hit.index;
    } else if (event.shiftKey && this.selection.a >= 0) this.selection.b = hit.index;
    else {
      this.selection.a = hit.index;
      this.selection.b = -1;
      this.selection.checkpoint = -1;
    }
    this.emitSelection();
    this.requestDraw();
  }

  /**
   * A right-click on a generation selects it and asks for its menu; from the keyboard (the menu
   * key, Shift+F10 on the focused canvas) the menu is the selected generation's.
   */
  private contextMenu(event: MouseEvent): void {
    event.preventDefault();
    // A menu asked for by the keyboard comes as a contextmenu event with no right button.
    const fromKeyboard = event.button !== 2;
    const hit = fromKeyboard ? undefined : this.hitTest(event);
    let index = this.selection.a;
    if (hit?.kind === 'generation') {
      index = hit.index;
      if (this.selection.a !== index || this.selection.b >= 0 || this.selection.checkpoint >= 0) {
        this.selection.a = index;
        this.selection.b = -1;
        this.selection.checkpoint = -1;
        this.emitSelection();
        this.requestDraw();
      }
    } else if (!fromKeyboard) return;
    if (index < 0 || this.selection.checkpoint >= 0) return;
    const rect = this.canvas.getBoundingClientRect();
    const at = fromKeyboard
      ? { x: rect.left + this.x(this.layout.times[index]!), y: rect.top + 24 }
      : { x: event.clientX, y: event.clientY };
    for (const listener of this.menuListeners) listener(index, at.x, at.y);
  }

  /** Listens for a generation's menu being asked for (by its index), at a point of the page. */
  onContextMenu(listener: (index: number, x: number, y: number) => void): void {
    this.menuListeners.add(listener);
  }

  private emitSelection(): void {
    for (const listener of this.selectionListeners) listener(this.selection);
  }

  private setHover(hit: Hit, event?: PointerEvent): void {
    const generation = hit?.kind === 'generation' ? hit.index : -1;
    const checkpoint = hit?.kind === 'checkpoint' ? hit.index : -1;
    if (generation === this.hover && checkpoint === this.hoverCheckpoint) {
      // The same point: only the tooltip follows the pointer, nothing is rebuilt or redrawn.
      if (hit && event) this.placeTooltip(event);
      return;
    }
    this.hover = generation;
    this.hoverCheckpoint = checkpoint;
    this.requestDraw();
    if (!hit || !event) {
      this.tooltip.hidden = true;
      return;
    }
    const [title, rows] =
      hit.kind === 'generation' ? this.generationDetails(hit.index) : this.checkpointDetails(hit.index);
    const heading = document.createElement('strong');
    heading.textContent = title;
    const table = document.createElement('dl');
    for (const [name, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = value;
      table.append(dt, dd);
    }
    this.tooltip.replaceChildren(heading, table);
    this.tooltip.hidden = false;
    this.placeTooltip(event);
  }

  private placeTooltip(event: PointerEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    this.tooltip.style.left = `${Math.min(x + 14, this.width - 230)}px`;
    this.tooltip.style.top = `${Math.max(4, event.clientY - rect.top - 40)}px`;
  }

  private generationDetails(index: number): [string, [string, string][]] {
    const g = this.layout.generations[index]!;
    const rows: [string, string][] = [
      ['committed', format().dateTime.format(g.time)],
      ['snapshot pause', g.pauseMs === null ? 'not recorded' : `${g.pauseMs.toFixed(2)} ms`],
      ['dirty pages', g.dirtyPages === null ? 'not recorded' : format().integer.format(g.dirtyPages)],
    ];
    // The store records no object counts; the benchmark's synthetic timelines do.
    if (g.objects !== null) rows.push(['objects', format().integer.format(g.objects)]);
    if (g.bytes !== null) rows.push(['object space', `${format().kibibytes.format(g.bytes / 1024)} KiB`]);
    rows.push(
      ['parent', g.parentNumber === null ? '—' : String(g.parentNumber)],
      [
        'store disk',
        g.damage !== null
          ? `damaged: ${g.damage}; the kernel will not resume it`
          : g.onDisk
            ? 'kept: can be inspected and restored'
            : 'gone: only its record remains',
      ],
    );
    const label = generationLabel(this.layout, index);
    const title = label[0]!.toUpperCase() + label.slice(1);
    return [`${title}${index === this.layout.currentIndex ? ' (you are here)' : ''}`, rows];
  }

  private checkpointDetails(index: number): [string, [string, string][]] {
    const c = this.layout.checkpoints[index]!;
    const rows: [string, string][] = [['taken', format().dateTime.format(c.time)]];
    if (c.generation !== null)
      rows.push(['generation', checkpointLabel(this.layout, c).replace(/^generation /, '')]);
    if (c.description) rows.push(['description', c.description]);
    rows.push([
      'contains',
      c.withMemory ? "the machine's memory and disks" : 'the disk of the stopped machine',
    ]);
    return [`Checkpoint "${c.name}"`, rows];
  }
}
