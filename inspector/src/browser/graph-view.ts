/**
 * An object's neighbourhood as a graph on a canvas: the objects within a few references of it,
 * both ways (what it refers to and what refers to it), laid out by a force simulation. Pan by
 * dragging, zoom with the wheel, choose a node to open it; the toolbar sets how many objects
 * (up to 5,000) are shown.
 *
 * Built to keep pan and zoom frames short at thousands of nodes:
 * - the layout is off the frame path: it runs in tasks of a few milliseconds between frames and
 *   stops when it settles, so a frame only draws;
 * - repulsion acts between nodes in neighbouring grid cells, found through a counting sort into
 *   typed arrays each step (O(n), nothing allocated per step);
 * - once the layout has settled and the view rests, the graph is drawn with every edge into an
 *   offscreen picture somewhat larger than the view, in short tasks; a pan or zoom frame then only
 *   places that picture (moved and scaled) until the next rest redraws it sharp;
 * - drawing directly (while the layout runs, or before the first picture) skips what is outside
 *   the view, strokes opaque edges and at most a sample of them, fills all nodes of one colour as
 *   one path, draws nodes smaller than a few pixels as squares, and labels only when zoomed in.
 * The last frames' draw times are kept for tests and the benchmark.
 */
import type { HeapSnapshot } from '../common/heap.js';
import { formatRef } from '../common/ref.js';
import { h } from './dom.js';

/** Distance the springs pull connected nodes to, in layout units. */
const SPRING_LENGTH = 40;
/** Repulsion reaches into neighbouring grid cells of this size. */
const CELL = SPRING_LENGTH * 2;
/** The grid is at most this many cells a side; nodes beyond it share the border cells. */
const MAX_GRID_SIDE = 256;
/** The most simulation steps before the layout is frozen. */
const MAX_STEPS = 400;
/** Layout work per task, so input and frames are never held up longer than about this. */
const LAYOUT_SLICE_MS = 6;
/** Draw times kept for the benchmark. */
const FRAME_SAMPLES = 120;
/** Node radius in layout units; the focus is drawn larger. */
const RADIUS = 5;
const FOCUS_RADIUS = RADIUS * 1.8;
/** Below this radius on screen, in pixels, a node is drawn as a square (far cheaper than an arc). */
const ARC_MIN_PIXELS = 3;
/** Edges are drawn opaque: the muted grey at 45% over the panel, without per-pixel blending. */
const EDGE_COLOUR = '#4f4f4f';
/**
 * A frame strokes at most about this many edges (every k-th of those in view; sigma.js hides
 * edges on move for the same reason). Once the view has rested REST_MS, a picture with every
 * edge is drawn offscreen in small tasks, and frames only place that picture.
 */
const FRAME_EDGE_BUDGET = 2500;
const REST_MS = 150;
/** Edges or nodes drawn into the picture per task. */
const PICTURE_ITEMS_PER_TASK = 1000;
/** The picture reaches this fraction of the view past each side, so a pan shows no blank edge at once. */
const PICTURE_BEYOND = 0.5;
/** Above this zoom every visible node is labelled; below it only the hovered one. */
const LABEL_ZOOM = 1.2;
/** How many objects the view can show. */
export const GRAPH_SIZES = [300, 1000, 5000] as const;

/** What is drawn: the canvas size in CSS pixels, and the part of the layout in view. */
interface Viewport {
  dpr: number;
  width: number;
  height: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** The settled graph drawn in full, and the view (pan, zoom, size in CSS pixels) it was drawn for. */
interface Picture {
  bitmap: ImageBitmap;
  layout: string;
  panX: number;
  panY: number;
  zoom: number;
  width: number;
  height: number;
}

const PALETTE = ['#7aa2f7', '#bb9af7', '#9ece6a', '#e0af68', '#7dcfff', '#f7768e', '#73daca', '#ff9e64'];

export class GraphView {
  readonly element: HTMLElement;
  /** Milliseconds each of the last frames took to draw. */
  readonly frameTimes: number[] = [];
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly info: HTMLElement;
  private readonly sizeSelect: HTMLSelectElement;
  private heap: HeapSnapshot | undefined;
  private focus = -1;
  private nodes = new Int32Array(0);
  private x = new Float64Array(0);
  private y = new Float64Array(0);
  private vx = new Float64Array(0);
  private vy = new Float64Array(0);
  /** Node indices grouped by colour: colourOrder[colourStart[c] .. colourStart[c + 1]). */
  private colourOrder = new Int32Array(0);
  private colourStart: number[] = [];
  private colours: string[] = [];
  private focusColour = 0;
  private labels: (string | undefined)[] = [];
  private edgeFrom = new Int32Array(0);
  private edgeTo = new Int32Array(0);
  /** Scratch space of the repulsion grid, sized with the nodes. */
  private cellOf = new Int32Array(0);
  private cellOrder = new Int32Array(0);
  private cellStart = new Int32Array(0);
  private steps = 0;
  private layoutTask: ReturnType<typeof setTimeout> | undefined;
  private panX = 0;
  private panY = 0;
  private zoom = 1;
  private hover = -1;
  private frame = 0;
  private restTimer: ReturnType<typeof setTimeout> | undefined;
  private visibleEdges = new Int32Array(0);
  /** Counts show() calls, so that a picture of an earlier graph is never taken for this one. */
  private shown = 0;
  /** The graph drawn in full for the last resting view, and the task drawing the next one. */
  private picture: Picture | undefined;
  private pictureTask: ReturnType<typeof setTimeout> | undefined;
  private drag: { x: number; y: number; moved: boolean } | undefined;
  private readonly resizeObserver: ResizeObserver;

  constructor(private readonly onOpen: (node: number) => void) {
    this.canvas = h('canvas', {
      class: 'ph-graph-canvas',
      'data-testid': 'inspector-graph-canvas',
      tabindex: 0,
    });
    this.info = h('span', { 'data-testid': 'inspector-graph-info' });
    this.sizeSelect = h(
      'select',
      { 'aria-label': 'Objects shown', 'data-testid': 'inspector-graph-size' },
      ...GRAPH_SIZES.map((n) => h('option', { value: n }, `up to ${n.toLocaleString('en')} objects`)),
    );
    this.sizeSelect.addEventListener('change', () => {
      if (this.heap && this.focus >= 0) this.show(this.heap, this.focus, Number(this.sizeSelect.value));
    });
    this.element = h(
      'div',
      { class: 'ph-graph', 'data-testid': 'inspector-graph' },
      this.canvas,
      h('div', { class: 'ph-graph-info' }, this.info, this.sizeSelect),
    );
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('canvas 2D is not available');
    this.ctx = ctx;
    this.canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.canvas.addEventListener('pointerdown', (e) => {
      this.drag = { x: e.clientX, y: e.clientY, moved: false };
      this.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.canvas.addEventListener('pointerup', (e) => {
      if (this.drag && !this.drag.moved) {
        const hit = this.pick(e.offsetX, e.offsetY);
        if (hit >= 0) this.onOpen(this.nodes[hit]!);
      }
      this.drag = undefined;
    });
    this.resizeObserver = new ResizeObserver(() => this.moved());
    this.resizeObserver.observe(this.element);
  }

  /** Node count shown, for tests and the status line. */
  get size(): number {
    return this.nodes.length;
  }

  /** Whether the layout has stopped moving (or reached its step limit). */
  get settled(): boolean {
    return this.layoutTask === undefined;
  }

  /**
   * Shows the objects within reach of `focus` (breadth first, both directions), at most maxNodes
   * (default: the size chosen in the toolbar), with every reference between them.
   */
  show(heap: HeapSnapshot, focus: number, maxNodes = Number(this.sizeSelect.value)): void {
    this.heap = heap;
    this.focus = focus;
    this.shown++;
    const index = new Map<number, number>([[focus, 0]]);
    const order = [focus];
    const discover = (w: number) => {
      if (order.length < maxNodes && !index.has(w)) {
        index.set(w, order.length);
        order.push(w);
      }
    };
    for (let head = 0; head < order.length && order.length < maxNodes; head++) {
      const v = order[head]!;
      for (const w of heap.references(v)) discover(w);
      for (const w of heap.referrers(v)) discover(w);
    }
    // Each reference once: from the referring node's side, when both ends are shown.
    const from: number[] = [];
    const to: number[] = [];
    for (let i = 0; i < order.length; i++) {
      for (const w of heap.references(order[i]!)) {
        const j = index.get(w);
        if (j !== undefined) {
          from.push(i);
          to.push(j);
        }
      }
    }
    const n = order.length;
    this.nodes = Int32Array.from(order);
    this.edgeFrom = Int32Array.from(from);
    this.edgeTo = Int32Array.from(to);
    this.visibleEdges = new Int32Array(to.length);
    this.x = new Float64Array(n);
    this.y = new Float64Array(n);
    this.vx = new Float64Array(n);
    this.vy = new Float64Array(n);
    this.cellOf = new Int32Array(n);
    this.cellOrder = new Int32Array(n);
    const golden = Math.PI * (3 - Math.sqrt(5));
    for (let i = 0; i < n; i++) {
      const r = SPRING_LENGTH * Math.sqrt(i);
      this.x[i] = r * Math.cos(i * golden);
      this.y[i] = r * Math.sin(i * golden);
    }
    this.groupByClassColour(heap, order);
    this.labels = new Array(n);
    this.steps = 0;
    this.panX = 0;
    this.panY = 0;
    this.zoom = n > 2000 ? 0.15 : n > 500 ? 0.35 : n > 100 ? 0.7 : 1;
    this.hover = -1;
    this.info.textContent = `${n} objects, ${from.length} references around ${formatRef(heap.addr[focus]!)} ${heap.className(heap.classOf[focus]!)}`;
    this.scheduleLayout();
    this.requestDraw();
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    cancelAnimationFrame(this.frame);
    clearTimeout(this.restTimer);
    this.cancelPicture();
    this.picture?.bitmap.close();
    this.picture = undefined;
    clearTimeout(this.layoutTask);
    this.layoutTask = undefined;
  }

  /** One colour per class (cycling through the palette), nodes grouped by it for drawing. */
  private groupByClassColour(heap: HeapSnapshot, order: number[]): void {
    const classColour = new Map<number, number>();
    const colourOf = order.map((node) => {
      const cls = heap.classOf[node]!;
      let c = classColour.get(cls);
      if (c === undefined) {
        c = classColour.size % PALETTE.length;
        classColour.set(cls, c);
      }
      return c;
    });
    this.focusColour = colourOf[0] ?? 0;
    const used = Math.min(PALETTE.length, classColour.size);
    this.colours = PALETTE.slice(0, used);
    this.colourStart = new Array<number>(used + 1).fill(0);
    for (const c of colourOf) this.colourStart[c + 1]!++;
    for (let c = 0; c < used; c++) this.colourStart[c + 1]! += this.colourStart[c]!;
    const next = this.colourStart.slice(0, used);
    this.colourOrder = new Int32Array(order.length);
    colourOf.forEach((c, i) => {
      this.colourOrder[next[c]!++] = i;
    });
  }

  /** Runs the layout in slices of a few milliseconds, each in its own task, until it settles. */
  private scheduleLayout(): void {
    clearTimeout(this.layoutTask);
    const slice = () => {
      const end = performance.now() + LAYOUT_SLICE_MS;
      let moving = true;
      while (moving && this.steps < MAX_STEPS && performance.now() < end) {
        moving = this.step();
        this.steps++;
      }
      this.requestDraw();
      this.layoutTask = moving && this.steps < MAX_STEPS ? setTimeout(slice, 0) : undefined;
      if (!this.layoutTask) this.renderPicture();
    };
    this.layoutTask = setTimeout(slice, 0);
  }

  private requestDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const t0 = performance.now();
      this.draw();
      this.frameTimes.push(performance.now() - t0);
      if (this.frameTimes.length > FRAME_SAMPLES) this.frameTimes.shift();
    });
  }

  /** Sorts the nodes into grid cells (counting sort), for the repulsion between neighbours. */
  private bucketNodes(): { left: number; top: number; cols: number; rows: number } {
    const n = this.nodes.length;
    const { x, y, cellOf, cellOrder } = this;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, x[i]!);
      maxX = Math.max(maxX, x[i]!);
      minY = Math.min(minY, y[i]!);
      maxY = Math.max(maxY, y[i]!);
    }
    const cols = Math.min(MAX_GRID_SIDE, Math.floor((maxX - minX) / CELL) + 1);
    const rows = Math.min(MAX_GRID_SIDE, Math.floor((maxY - minY) / CELL) + 1);
    if (this.cellStart.length < cols * rows + 1) this.cellStart = new Int32Array(cols * rows + 1);
    const start = this.cellStart;
    start.fill(0, 0, cols * rows + 1);
    for (let i = 0; i < n; i++) {
      const cx = Math.min(cols - 1, Math.floor((x[i]! - minX) / CELL));
      const cy = Math.min(rows - 1, Math.floor((y[i]! - minY) / CELL));
      const cell = cy * cols + cx;
      cellOf[i] = cell;
      start[cell + 1]!++;
    }
    for (let c = 0; c < cols * rows; c++) start[c + 1]! += start[c]!;
    const fill = start.slice(0, cols * rows);
    for (let i = 0; i < n; i++) cellOrder[fill[cellOf[i]!]!++] = i;
    return { left: minX, top: minY, cols, rows };
  }

  /** One simulation step; returns whether anything still moves noticeably. */
  private step(): boolean {
    const n = this.nodes.length;
    const { x, y, vx, vy } = this;
    const { cols, rows } = this.bucketNodes();
    const { cellOf, cellOrder, cellStart } = this;
    for (let i = 0; i < n; i++) {
      const cell = cellOf[i]!;
      const cx = cell % cols;
      const cy = (cell - cx) / cols;
      for (let ny = Math.max(0, cy - 1); ny <= Math.min(rows - 1, cy + 1); ny++) {
        for (let nx = Math.max(0, cx - 1); nx <= Math.min(cols - 1, cx + 1); nx++) {
          const c = ny * cols + nx;
          for (let k = cellStart[c]!; k < cellStart[c + 1]!; k++) {
            const j = cellOrder[k]!;
            if (j <= i) continue;
            let ex = x[i]! - x[j]!;
            let ey = y[i]! - y[j]!;
            let d2 = ex * ex + ey * ey;
            if (d2 < 0.01) {
              ex = (i % 7) - 3 || 1;
              ey = (j % 5) - 2 || 1;
              d2 = ex * ex + ey * ey;
            }
            const f = (SPRING_LENGTH * SPRING_LENGTH) / d2 / 4;
            vx[i]! += ex * f;
            vy[i]! += ey * f;
            vx[j]! -= ex * f;
            vy[j]! -= ey * f;
          }
        }
      }
    }
    for (let e = 0; e < this.edgeFrom.length; e++) {
      const a = this.edgeFrom[e]!;
      const b = this.edgeTo[e]!;
      const ex = x[b]! - x[a]!;
      const ey = y[b]! - y[a]!;
      const d = Math.sqrt(ex * ex + ey * ey) || 1;
      const f = ((d - SPRING_LENGTH) / d) * 0.05;
      vx[a]! += ex * f;
      vy[a]! += ey * f;
      vx[b]! -= ex * f;
      vy[b]! -= ey * f;
    }
    let energy = 0;
    for (let i = 0; i < n; i++) {
      vx[i]! -= x[i]! * 0.002;
      vy[i]! -= y[i]! * 0.002;
      vx[i]! *= 0.6;
      vy[i]! *= 0.6;
      x[i]! += vx[i]!;
      y[i]! += vy[i]!;
      energy += vx[i]! * vx[i]! + vy[i]! * vy[i]!;
    }
    x[0] = 0;
    y[0] = 0;
    return energy / Math.max(1, n) > 0.01;
  }

  /** The view as the frame will draw it: canvas size, and what is in view (widened by `beyond`). */
  private viewport(beyond = 0): Viewport {
    const dpr = window.devicePixelRatio || 1;
    const width = this.element.clientWidth;
    const height = this.element.clientHeight;
    // Widened by a node, so that nodes on the border are drawn whole.
    const marginX = FOCUS_RADIUS * this.zoom + beyond * width;
    const marginY = FOCUS_RADIUS * this.zoom + beyond * height;
    const [left, top] = this.toLayout(-marginX, -marginY);
    const [right, bottom] = this.toLayout(width + marginX, height + marginY);
    return { dpr, width, height, left, top, right, bottom };
  }

  /** Names the graph and its layout as they are now: a picture of anything else is stale. */
  private layoutKey(): string {
    return `${this.shown}:${this.steps}`;
  }

  private draw(): void {
    const { canvas, ctx } = this;
    const view = this.viewport();
    if (
      canvas.width !== Math.round(view.width * view.dpr) ||
      canvas.height !== Math.round(view.height * view.dpr)
    ) {
      canvas.width = Math.round(view.width * view.dpr);
      canvas.height = Math.round(view.height * view.dpr);
      canvas.style.width = `${view.width}px`;
      canvas.style.height = `${view.height}px`;
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const picture = this.picture;
    if (picture && picture.layout === this.layoutKey()) {
      // The picture moved and scaled from the view it was drawn for to this one.
      const scale = this.zoom / picture.zoom;
      const originX =
        view.width / 2 + this.panX - scale * (picture.width * (PICTURE_BEYOND + 0.5) + picture.panX);
      const originY =
        view.height / 2 + this.panY - scale * (picture.height * (PICTURE_BEYOND + 0.5) + picture.panY);
      ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
      ctx.drawImage(
        picture.bitmap,
        originX,
        originY,
        picture.width * (1 + 2 * PICTURE_BEYOND) * scale,
        picture.height * (1 + 2 * PICTURE_BEYOND) * scale,
      );
      this.transform(ctx, view, 0);
      if (!this.labelsAll() && this.hover >= 0) this.drawLabels(ctx, view);
      return;
    }
    this.transform(ctx, view, 0);
    const shown = this.collectVisibleEdges(view, this.visibleEdges);
    this.strokeEdges(ctx, this.visibleEdges, 0, shown, Math.max(1, Math.ceil(shown / FRAME_EDGE_BUDGET)));
    this.fillNodes(ctx, view);
    this.drawLabels(ctx, view);
  }

  /**
   * Draws the settled graph with every edge and label into a picture a little larger than the
   * view, in tasks of PICTURE_ITEMS_PER_TASK edges or nodes each (each rasterised in its task, so
   * none holds up input for long); frames then only place that picture. A pan or zoom
   * cancels it; the next rest starts it again.
   */
  private renderPicture(): void {
    this.cancelPicture();
    if (!this.settled || this.nodes.length === 0) return;
    const view = this.viewport(PICTURE_BEYOND);
    const span = 1 + 2 * PICTURE_BEYOND;
    const canvas = new OffscreenCanvas(
      Math.max(1, Math.round(view.width * span * view.dpr)),
      Math.max(1, Math.round(view.height * span * view.dpr)),
    );
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    this.transform(ctx, view, PICTURE_BEYOND);
    const edges = new Int32Array(this.edgeFrom.length);
    const count = this.collectVisibleEdges(view, edges);
    const picture = {
      layout: this.layoutKey(),
      panX: this.panX,
      panY: this.panY,
      zoom: this.zoom,
      width: view.width,
      height: view.height,
    };
    const n = this.nodes.length;
    let edge = 0;
    let node = 0;
    const slice = () => {
      if (edge < count) {
        this.strokeEdges(ctx, edges, edge, Math.min(count, edge + PICTURE_ITEMS_PER_TASK), 1);
        edge += PICTURE_ITEMS_PER_TASK;
      } else if (node < n) {
        this.fillNodes(ctx, view, node, Math.min(n, node + PICTURE_ITEMS_PER_TASK));
        node += PICTURE_ITEMS_PER_TASK;
      }
      if (edge < count || node < n) {
        // Reading a pixel makes the canvas rasterise what this task drew, here rather than all at the end.
        ctx.getImageData(0, 0, 1, 1);
        this.pictureTask = setTimeout(slice, 0);
        return;
      }
      if (this.labelsAll()) this.drawLabels(ctx, view);
      this.picture?.bitmap.close();
      this.picture = { ...picture, bitmap: canvas.transferToImageBitmap() };
      this.pictureTask = undefined;
      this.requestDraw();
    };
    this.pictureTask = setTimeout(slice, 0);
  }

  private cancelPicture(): void {
    clearTimeout(this.pictureTask);
    this.pictureTask = undefined;
  }

  /** Sets up layout units on a canvas whose view reaches `beyond` (a fraction of it) past each side. */
  private transform(ctx: Context2D, view: Viewport, beyond: number): void {
    ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
    ctx.translate(view.width * (beyond + 0.5) + this.panX, view.height * (beyond + 0.5) + this.panY);
    ctx.scale(this.zoom, this.zoom);
  }

  /** Puts the edges with a chance of being in view into `into`; returns how many. */
  private collectVisibleEdges(view: Viewport, into: Int32Array): number {
    const { x, y, edgeFrom, edgeTo } = this;
    const { left, top, right, bottom } = view;
    let count = 0;
    for (let e = 0; e < edgeFrom.length; e++) {
      const a = edgeFrom[e]!;
      const b = edgeTo[e]!;
      if ((x[a]! < left && x[b]! < left) || (x[a]! > right && x[b]! > right)) continue;
      if ((y[a]! < top && y[b]! < top) || (y[a]! > bottom && y[b]! > bottom)) continue;
      into[count++] = e;
    }
    return count;
  }

  /** Strokes edges[from..to), every stride-th of them, as one path. */
  private strokeEdges(ctx: Context2D, edges: Int32Array, from: number, to: number, stride: number): void {
    const { x, y, edgeFrom, edgeTo } = this;
    ctx.lineWidth = 1 / this.zoom;
    ctx.strokeStyle = EDGE_COLOUR;
    ctx.beginPath();
    for (let k = from; k < to; k += stride) {
      const e = edges[k]!;
      ctx.moveTo(x[edgeFrom[e]!]!, y[edgeFrom[e]!]!);
      ctx.lineTo(x[edgeTo[e]!]!, y[edgeTo[e]!]!);
    }
    ctx.stroke();
  }

  /** Fills the nodes in view among colourOrder[from..to) (default: all), and the focus with the last. */
  private fillNodes(ctx: Context2D, view: Viewport, from = 0, to = this.nodes.length): void {
    const { x, y } = this;
    const { left, top, right, bottom } = view;
    const squares = RADIUS * this.zoom < ARC_MIN_PIXELS;
    for (let c = 0; c < this.colours.length; c++) {
      const first = Math.max(from, this.colourStart[c]!);
      const end = Math.min(to, this.colourStart[c + 1]!);
      if (first >= end) continue;
      ctx.fillStyle = this.colours[c]!;
      if (!squares) ctx.beginPath();
      for (let k = first; k < end; k++) {
        const i = this.colourOrder[k]!;
        if (i === 0 || x[i]! < left || x[i]! > right || y[i]! < top || y[i]! > bottom) continue;
        if (squares) ctx.fillRect(x[i]! - RADIUS, y[i]! - RADIUS, RADIUS * 2, RADIUS * 2);
        else {
          ctx.moveTo(x[i]! + RADIUS, y[i]!);
          ctx.arc(x[i]!, y[i]!, RADIUS, 0, Math.PI * 2);
        }
      }
      if (!squares) ctx.fill();
    }
    if (to === this.nodes.length && to > 0) {
      ctx.fillStyle = this.colours[this.focusColour]!;
      ctx.beginPath();
      ctx.arc(x[0]!, y[0]!, FOCUS_RADIUS, 0, Math.PI * 2);
      ctx.fill();
    }
  }

  private labelsAll(): boolean {
    return this.zoom > LABEL_ZOOM || this.nodes.length <= 40;
  }

  /** Labels every node in view when zoomed in (or few), else the hovered one. */
  private drawLabels(ctx: Context2D, view: Viewport): void {
    if (!this.heap || (!this.labelsAll() && this.hover < 0)) return;
    const { x, y } = this;
    ctx.fillStyle = '#e8e8e8';
    ctx.font = `${11 / this.zoom}px system-ui, sans-serif`;
    if (!this.labelsAll()) {
      ctx.fillText(this.label(this.hover), x[this.hover]! + 8, y[this.hover]! + 4);
      return;
    }
    for (let i = 0; i < this.nodes.length; i++)
      if (x[i]! >= view.left && x[i]! <= view.right && y[i]! >= view.top && y[i]! <= view.bottom)
        ctx.fillText(this.label(i), x[i]! + 8, y[i]! + 4);
  }

  /** A node's label (its string's text, else its class's short name), made once. */
  private label(i: number): string {
    let text = this.labels[i];
    if (text === undefined) {
      const heap = this.heap!;
      const node = this.nodes[i]!;
      const value = heap.stringValue(node);
      text =
        value !== undefined
          ? JSON.stringify(value.slice(0, 24))
          : (heap.className(heap.classOf[node]!).split('.').pop() ?? '?');
      this.labels[i] = text;
    }
    return text;
  }

  private toLayout(px: number, py: number): [number, number] {
    const w = this.element.clientWidth;
    const hgt = this.element.clientHeight;
    return [(px - w / 2 - this.panX) / this.zoom, (py - hgt / 2 - this.panY) / this.zoom];
  }

  private pick(px: number, py: number): number {
    const [lx, ly] = this.toLayout(px, py);
    const reach = 8 / this.zoom;
    let best = -1;
    let bestD = reach * reach;
    for (let i = 0; i < this.nodes.length; i++) {
      const dx = this.x[i]! - lx;
      const dy = this.y[i]! - ly;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        best = i;
        bestD = d;
      }
    }
    return best;
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const factor = Math.exp(-e.deltaY * 0.0015);
    const next = Math.min(8, Math.max(0.02, this.zoom * factor));
    const w = this.element.clientWidth;
    const hgt = this.element.clientHeight;
    const cx = e.offsetX - w / 2 - this.panX;
    const cy = e.offsetY - hgt / 2 - this.panY;
    this.panX -= cx * (next / this.zoom - 1);
    this.panY -= cy * (next / this.zoom - 1);
    this.zoom = next;
    this.moved();
  }

  /** The view was panned, zoomed or resized: place the last picture now, draw a new one once it rests. */
  private moved(): void {
    this.cancelPicture();
    clearTimeout(this.restTimer);
    this.restTimer = setTimeout(() => this.renderPicture(), REST_MS);
    this.requestDraw();
  }

  private onPointerMove(e: PointerEvent): void {
    if (this.drag) {
      const dx = e.clientX - this.drag.x;
      const dy = e.clientY - this.drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) this.drag.moved = true;
      if (this.drag.moved) {
        this.panX += dx;
        this.panY += dy;
        this.drag.x = e.clientX;
        this.drag.y = e.clientY;
        this.moved();
      }
      return;
    }
    const hit = this.pick(e.offsetX, e.offsetY);
    if (hit !== this.hover) {
      this.hover = hit;
      this.canvas.style.cursor = hit >= 0 ? 'pointer' : 'default';
      if (hit >= 0 && this.heap) {
        const node = this.nodes[hit]!;
        this.canvas.title = `${formatRef(this.heap.addr[node]!)} ${this.heap.className(this.heap.classOf[node]!)}`;
      }
      this.requestDraw();
    }
  }
}
