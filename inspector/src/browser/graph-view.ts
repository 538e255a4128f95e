/**
 * An object's neighbourhood as a graph on a canvas: the objects a few references away from it,
 * both ways (what it refers to and what refers to it), two deep by default, with a control to
 * reach further and one for the most objects shown (up to 5,000). Pan by dragging, zoom with the
 * wheel, hover a node for what it is, click it to open it. The focus and its direct neighbours
 * are always labelled (class and short address, or a string's text); zooming in labels more of
 * the others, nearest first, as long as their labels do not overlap. A legend names the classes
 * by colour. `data-settled="true"` on the element says the layout has stopped and is drawn in full.
 *
 * This class is the drawing and the DOM. Which objects are shown, their colours, the force
 * layout and the geometry of hit-testing and fitting are ../common/graph-layout.ts (pure, tested
 * without a DOM); the layout runs there in a Web Worker (graph-layout-worker.ts), which posts
 * the nodes' positions after every slice of ticks, so a frame here only draws:
 * - once the layout has settled and the view rests, the graph is drawn with every edge into an
 *   offscreen picture somewhat larger than the view, in short tasks; a pan or zoom frame then only
 *   places that picture (moved and scaled) until the next rest redraws it sharp;
 * - drawing directly (while the layout runs, or before the first picture) skips what is outside
 *   the view, strokes opaque edges and at most a sample of them, fills all nodes of one colour as
 *   one path, and draws nodes smaller than a few pixels as squares;
 * - labels are drawn on every frame in screen space (a fixed size whatever the zoom), at most
 *   LABEL_BUDGET of them, each measured once, kept apart by a coarse occupancy grid.
 * The last frames' draw times are kept for tests and the benchmark.
 */
import { formatValue } from '../common/format.js';
import {
  colourGroups,
  DEFAULT_HOPS,
  fitNeighbours,
  GRAPH_LAYOUT_WORKER_FILE,
  GRAPH_SIZES,
  HOP_CHOICES,
  isLayoutUpdate,
  type LayoutRequest,
  type Neighbourhood,
  NODE_RADIUS,
  nearestNode,
  neighbourhood,
} from '../common/graph-layout.js';
import type { HeapSnapshot } from '../common/heap.js';
import { objectView } from '../common/objects.js';
import { formatRef } from '../common/ref.js';
import { append, clear, formatBytes, h } from './dom.js';

/** Draw times kept for the benchmark. */
const FRAME_SAMPLES = 120;
/** Node radius in layout units; the focus is drawn larger. */
const RADIUS = NODE_RADIUS;
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
/** The most labels a frame draws (each is a text draw; the focus and its neighbours come first). */
const LABEL_BUDGET = 60;
/**
 * Labels measured (a text layout each) per frame at most; labels not measured yet wait for the
 * next frame, so zooming into a crowd of new labels spreads their cost over a few frames.
 */
const LABEL_MEASURES_PER_FRAME = 24;
/** Of the focus's direct neighbours, this many nearest (in discovery order) are labelled even where labels crowd. */
const NEIGHBOUR_LABELS = 40;
const LABEL_FONT = '11px system-ui, sans-serif';
const LABEL_HEIGHT = 15;
/** Cells of the grid that keeps labels apart, in CSS pixels. */
const LABEL_CELL_WIDTH = 16;
const LABEL_CELL_HEIGHT = 8;
/**
 * Labels beyond the focus's neighbours grow with the zoom: none up to LABEL_ZOOM_FROM, all of
 * LABEL_BUDGET from LABEL_ZOOM_FULL.
 */
const LABEL_ZOOM_FROM = 0.5;
const LABEL_ZOOM_FULL = 2.5;
/**
 * Up to this many objects the view zooms, while the layout runs and until the user pans or zooms,
 * so that the focus's neighbours fill part of the view (fitNeighbours): a neighbourhood is for
 * reading. Larger graphs open on the whole.
 */
const NEIGHBOURHOOD_MAX_NODES = 500;
/** How near the pointer, in pixels, a node counts as under it. */
const PICK_PIXELS = 8;
/** Fields a tooltip lists at most. */
const TOOLTIP_FIELDS = 4;

export { GRAPH_SIZES } from '../common/graph-layout.js';

export interface GraphViewOptions {
  /** Opens an object (a click on its node). */
  onOpen(node: number): void;
  /** The layout failed (the worker could not load or threw); the view shows the reason too. */
  onError?(err: unknown): void;
}

/** The layout worker, bundled as GRAPH_LAYOUT_WORKER_FILE beside the page (same origin: the CSP's worker-src 'self'). */
function layoutWorker(): Worker {
  return new Worker(new URL(GRAPH_LAYOUT_WORKER_FILE, location.href), {
    type: 'module',
    name: 'graph-layout',
  });
}

/** "1 reference", "3 references", "every reference". */
function hopsLabel(hops: number): string {
  if (!Number.isFinite(hops)) return 'all within reach';
  return hops === 1 ? '1 reference deep' : `${hops} references deep`;
}

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
/** The colour of the classes beyond the palette, named "other classes" in the legend. */
const OTHER_COLOUR = '#8b8b8b';

export class GraphView {
  readonly element: HTMLElement;
  /** Milliseconds each of the last frames took to draw. */
  readonly frameTimes: number[] = [];
  /** The labels the last frame drew, nearest the focus first (a hovered node's before all). */
  readonly labelsDrawn: string[] = [];
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly info: HTMLElement;
  private readonly widen: HTMLButtonElement;
  private readonly legend: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly depthSelect: HTMLSelectElement;
  private readonly sizeSelect: HTMLSelectElement;
  private readonly onOpen: (node: number) => void;
  private readonly onError: (err: unknown) => void;
  private worker: Worker | undefined;
  private heap: HeapSnapshot | undefined;
  private focus = -1;
  private nodes: Int32Array = new Int32Array(0);
  private edgeFrom: Int32Array = new Int32Array(0);
  private edgeTo: Int32Array = new Int32Array(0);
  /** Where the layout has put the nodes: [x0, y0, x1, y1, …] in layout units. */
  private positions: Float32Array = new Float32Array(0);
  /** Which layout the worker's updates must name to be this graph's. */
  private layoutId = 0;
  private layoutSteps = 0;
  private layoutSettled = true;
  /** Node indices grouped by colour: colourOrder[colourStart[c] .. colourStart[c + 1]). */
  private colourOrder: Int32Array = new Int32Array(0);
  private colourStart: Int32Array = new Int32Array(0);
  private colours: string[] = [];
  private focusColour = 0;
  private labels: (string | undefined)[] = [];
  /** Each label's width in CSS pixels, measured once (0: not yet). */
  private labelWidths = new Float32Array(0);
  /** Nodes [0, neighboursEnd) are the focus and its direct neighbours (discovery is breadth first). */
  private neighboursEnd = 0;
  /** Label occupancy grid, reused between frames. */
  private labelGrid = new Uint8Array(0);
  private panX = 0;
  private panY = 0;
  private zoom = 1;
  private hover = -1;
  /** The user has panned or zoomed since the graph was shown: the view no longer fits itself. */
  private userMoved = false;
  private frame = 0;
  private restTimer: ReturnType<typeof setTimeout> | undefined;
  private visibleEdges = new Int32Array(0);
  /** The graph drawn in full for the last resting view, and the task drawing the next one. */
  private picture: Picture | undefined;
  private pictureTask: ReturnType<typeof setTimeout> | undefined;
  private drag: { x: number; y: number; moved: boolean } | undefined;
  private readonly resizeObserver: ResizeObserver;

  constructor(options: GraphViewOptions) {
    this.onOpen = options.onOpen;
    this.onError = options.onError ?? (() => undefined);
    this.canvas = h('canvas', {
      class: 'ph-graph-canvas',
      'data-testid': 'inspector-graph-canvas',
      tabindex: 0,
    });
    this.info = h('span', { 'data-testid': 'inspector-graph-info' });
    this.widen = h(
      'button',
      {
        class: 'ph-button',
        'data-testid': 'inspector-graph-widen',
        title: 'Show the objects one reference further',
        hidden: true,
        onclick: () => this.widenByOneHop(),
      },
      'Widen',
    );
    this.legend = h('div', { class: 'ph-graph-legend', 'data-testid': 'inspector-graph-legend' });
    this.tooltip = h('div', {
      class: 'ph-graph-tooltip',
      'data-testid': 'inspector-graph-tooltip',
      hidden: true,
    });
    this.depthSelect = h(
      'select',
      { 'aria-label': 'How far from the object', 'data-testid': 'inspector-graph-depth' },
      ...HOP_CHOICES.map((hops) => h('option', { value: String(hops) }, hopsLabel(hops))),
    );
    this.depthSelect.value = String(DEFAULT_HOPS);
    this.sizeSelect = h(
      'select',
      { 'aria-label': 'Objects shown', 'data-testid': 'inspector-graph-size' },
      ...GRAPH_SIZES.map((n) => h('option', { value: n }, `up to ${n.toLocaleString('en')} objects`)),
    );
    const reshow = () => {
      if (this.heap && this.focus >= 0) this.show(this.heap, this.focus);
    };
    this.depthSelect.addEventListener('change', reshow);
    this.sizeSelect.addEventListener('change', reshow);
    this.element = h(
      'div',
      { class: 'ph-graph', 'data-testid': 'inspector-graph', 'data-settled': 'false' },
      this.canvas,
      this.legend,
      this.tooltip,
      h('div', { class: 'ph-graph-info' }, this.info, this.widen, this.depthSelect, this.sizeSelect),
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
    this.canvas.addEventListener('pointerleave', () => this.setHover(-1));
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

  /** How many references deep the graph reaches now (Infinity: as far as the size allows). */
  get hops(): number {
    return Number(this.depthSelect.value);
  }

  /** Whether the layout has stopped moving (or reached its step limit). */
  get settled(): boolean {
    return this.layoutSettled;
  }

  /**
   * Shows the objects within `hops` references of `focus` (breadth first, both directions; by
   * default the depth chosen in the toolbar), at most maxNodes (the size chosen there), with
   * every reference between them.
   */
  show(
    heap: HeapSnapshot,
    focus: number,
    hops = Number(this.depthSelect.value),
    maxNodes = Number(this.sizeSelect.value),
  ): void {
    if (String(hops) !== this.depthSelect.value) this.depthSelect.value = String(hops);
    this.heap = heap;
    this.focus = focus;
    const graph = neighbourhood(heap, focus, { hops, maxNodes });
    this.nodes = graph.nodes;
    this.edgeFrom = graph.edgeFrom;
    this.edgeTo = graph.edgeTo;
    this.neighboursEnd = graph.neighboursEnd;
    const n = graph.nodes.length;
    this.visibleEdges = new Int32Array(graph.edgeTo.length);
    this.groupByClassColour(heap, graph.nodes);
    this.labels = new Array(n);
    this.labelWidths = new Float32Array(n);
    this.panX = 0;
    this.panY = 0;
    this.zoom = n > 2000 ? 0.15 : n > 500 ? 0.35 : n > 100 ? 0.7 : 1;
    this.userMoved = false;
    this.hover = -1;
    this.tooltip.hidden = true;
    this.element.dataset.settled = 'false';
    this.describe(heap, graph, hops);
    this.startLayout();
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    cancelAnimationFrame(this.frame);
    clearTimeout(this.restTimer);
    this.cancelPicture();
    this.picture?.bitmap.close();
    this.picture = undefined;
    this.worker?.terminate();
    this.worker = undefined;
  }

  /** The line under the graph: what is shown, and what one more reference would add. */
  private describe(heap: HeapSnapshot, graph: Neighbourhood, hops: number): void {
    const focus = graph.nodes[0]!;
    const around = `${formatRef(heap.addr[focus]!)} ${heap.className(heap.classOf[focus]!)}`;
    const reach =
      graph.limitedBy === 'size'
        ? ` (the first ${graph.nodes.length.toLocaleString('en')}: more lie within reach)`
        : graph.limitedBy === 'hops'
          ? ` within ${hops === 1 ? '1 reference' : `${hops} references`}; ${graph.nextHop.toLocaleString('en')}${graph.nextHop >= Number(this.sizeSelect.value) ? '+' : ''} more one further`
          : '';
    this.info.textContent = `${graph.nodes.length} objects, ${graph.edgeFrom.length} references around ${around}${reach}`;
    this.widen.hidden = graph.limitedBy !== 'hops';
  }

  /** The next depth the toolbar offers. */
  private widenByOneHop(): void {
    const next = HOP_CHOICES.find((hops) => hops > this.hops);
    if (next === undefined || !this.heap) return;
    this.show(this.heap, this.focus, next);
  }

  /** Asks the worker for a layout of the graph shown; its updates come back to onLayoutUpdate. */
  private startLayout(): void {
    this.layoutId++;
    this.layoutSettled = false;
    this.layoutSteps = 0;
    this.positions = new Float32Array(this.nodes.length * 2);
    this.cancelPicture();
    if (!this.worker) {
      try {
        const worker = layoutWorker();
        worker.onmessage = (event) => this.onLayoutUpdate(event.data);
        worker.onerror = (event) =>
          this.layoutFailed(
            new Error(`the graph's layout worker failed: ${event.message || 'it did not load'}`),
          );
        this.worker = worker;
      } catch (err) {
        this.layoutFailed(err);
        return;
      }
    }
    // Copies: the view keeps its edges to draw them, the worker gets its own to transfer.
    const request: LayoutRequest = {
      kind: 'layout',
      id: this.layoutId,
      nodeCount: this.nodes.length,
      edgeFrom: this.edgeFrom.slice(),
      edgeTo: this.edgeTo.slice(),
    };
    this.worker.postMessage(request, [request.edgeFrom.buffer, request.edgeTo.buffer]);
    this.requestDraw();
  }

  private onLayoutUpdate(data: unknown): void {
    // An update of an earlier graph, or not an update at all, is not drawn.
    if (!isLayoutUpdate(data, this.layoutId, this.nodes.length)) return;
    this.positions = data.positions;
    this.layoutSteps = data.steps;
    this.layoutSettled = data.settled;
    this.fitNeighbourhood();
    this.requestDraw();
    if (data.settled) this.renderPicture();
  }

  private layoutFailed(err: unknown): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.layoutSettled = true;
    this.info.textContent = `${this.info.textContent ?? ''} — no layout: ${err instanceof Error ? err.message : String(err)}`;
    this.onError(err);
  }

  /**
   * One colour per class: the focus's class first, then the most numerous, while the palette
   * lasts; the rest share OTHER_COLOUR (colourGroups). Nodes are grouped by colour for drawing,
   * and the legend names each colour.
   */
  private groupByClassColour(heap: HeapSnapshot, nodes: Int32Array): void {
    const groups = colourGroups(
      Int32Array.from(nodes, (node) => heap.classOf[node]!),
      PALETTE.length,
    );
    this.colours = [
      ...PALETTE.slice(0, groups.named.length),
      ...(groups.others.length > 0 ? [OTHER_COLOUR] : []),
    ];
    this.colourOrder = groups.order;
    this.colourStart = groups.starts;
    this.focusColour = groups.colourOf[0] ?? 0;
    const entry = (colour: string, name: string, count: number, title: string) => {
      const swatch = h('span', { class: 'ph-graph-swatch' });
      swatch.style.background = colour;
      return h(
        'li',
        { title },
        swatch,
        h('span', { class: 'ph-graph-legend-name' }, name),
        h('span', { class: 'ph-graph-legend-count' }, count.toLocaleString('en')),
      );
    };
    clear(this.legend);
    this.legend.append(
      h(
        'ul',
        {},
        ...groups.named.map((cls, c) =>
          entry(PALETTE[c]!, shortName(heap.className(cls)), groups.counts.get(cls)!, heap.className(cls)),
        ),
        groups.others.length > 0 &&
          entry(
            OTHER_COLOUR,
            `${groups.others.length} other classes`,
            groups.others.reduce((sum, cls) => sum + groups.counts.get(cls)!, 0),
            groups.others.map((cls) => heap.className(cls)).join('\n'),
          ),
      ),
    );
  }

  /** Zooms so that the focus's neighbours fill part of the view (small graphs, until the user moves it). */
  private fitNeighbourhood(): void {
    if (this.userMoved || this.nodes.length > NEIGHBOURHOOD_MAX_NODES || this.neighboursEnd <= 1) return;
    const side = Math.min(this.element.clientWidth, this.element.clientHeight);
    if (side > 0) this.zoom = fitNeighbours(this.positions, this.neighboursEnd, side, NEIGHBOUR_LABELS);
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
    return `${this.layoutId}:${this.layoutSteps}`;
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
      this.drawLabels(ctx, view);
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
    if (!this.layoutSettled || this.nodes.length === 0) return;
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
      this.picture?.bitmap.close();
      this.picture = { ...picture, bitmap: canvas.transferToImageBitmap() };
      this.pictureTask = undefined;
      this.requestDraw();
      this.element.dataset.settled = 'true';
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
    const { positions: p, edgeFrom, edgeTo } = this;
    const { left, top, right, bottom } = view;
    let count = 0;
    for (let e = 0; e < edgeFrom.length; e++) {
      const a = 2 * edgeFrom[e]!;
      const b = 2 * edgeTo[e]!;
      if ((p[a]! < left && p[b]! < left) || (p[a]! > right && p[b]! > right)) continue;
      if ((p[a + 1]! < top && p[b + 1]! < top) || (p[a + 1]! > bottom && p[b + 1]! > bottom)) continue;
      into[count++] = e;
    }
    return count;
  }

  /** Strokes edges[from..to), every stride-th of them, as one path. */
  private strokeEdges(ctx: Context2D, edges: Int32Array, from: number, to: number, stride: number): void {
    const { positions: p, edgeFrom, edgeTo } = this;
    ctx.lineWidth = 1 / this.zoom;
    ctx.strokeStyle = EDGE_COLOUR;
    ctx.beginPath();
    for (let k = from; k < to; k += stride) {
      const e = edges[k]!;
      const a = 2 * edgeFrom[e]!;
      const b = 2 * edgeTo[e]!;
      ctx.moveTo(p[a]!, p[a + 1]!);
      ctx.lineTo(p[b]!, p[b + 1]!);
    }
    ctx.stroke();
  }

  /** Fills the nodes in view among colourOrder[from..to) (default: all), and the focus with the last. */
  private fillNodes(ctx: Context2D, view: Viewport, from = 0, to = this.nodes.length): void {
    const { positions: p } = this;
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
        const x = p[2 * i]!;
        const y = p[2 * i + 1]!;
        if (i === 0 || x < left || x > right || y < top || y > bottom) continue;
        if (squares) ctx.fillRect(x - RADIUS, y - RADIUS, RADIUS * 2, RADIUS * 2);
        else {
          ctx.moveTo(x + RADIUS, y);
          ctx.arc(x, y, RADIUS, 0, Math.PI * 2);
        }
      }
      if (!squares) ctx.fill();
    }
    if (to === this.nodes.length && to > 0) {
      ctx.fillStyle = this.colours[this.focusColour]!;
      ctx.beginPath();
      ctx.arc(p[0]!, p[1]!, FOCUS_RADIUS, 0, Math.PI * 2);
      ctx.fill();
    }
  }

  /**
   * Labels in screen space, nearest the focus first (discovery order): the focus, the hovered
   * node and the first NEIGHBOUR_LABELS neighbours always; then any node in view whose label
   * finds free room, until LABEL_BUDGET. Zoomed out, nodes crowd and few others get room;
   * zoomed in, more do.
   */
  private drawLabels(ctx: Context2D, view: Viewport): void {
    const n = this.nodes.length;
    if (!this.heap || n === 0) return;
    const { positions: p, zoom } = this;
    const originX = view.width / 2 + this.panX;
    const originY = view.height / 2 + this.panY;
    const cols = Math.ceil(view.width / LABEL_CELL_WIDTH) + 1;
    const rows = Math.ceil(view.height / LABEL_CELL_HEIGHT) + 1;
    if (this.labelGrid.length < cols * rows) this.labelGrid = new Uint8Array(cols * rows);
    const grid = this.labelGrid;
    grid.fill(0, 0, cols * rows);
    ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
    ctx.font = LABEL_FONT;
    ctx.textBaseline = 'middle';
    this.labelsDrawn.length = 0;
    const forced = Math.min(this.neighboursEnd, NEIGHBOUR_LABELS + 1);
    const extra = Math.round(
      LABEL_BUDGET * Math.min(1, Math.max(0, (zoom - LABEL_ZOOM_FROM) / (LABEL_ZOOM_FULL - LABEL_ZOOM_FROM))),
    );
    const budget = Math.min(LABEL_BUDGET, forced + extra);
    let measures = LABEL_MEASURES_PER_FRAME;
    let waiting = false;
    const free = (left: number, top: number, width: number): boolean => {
      if (left < 0 || top < 0 || left + width > view.width || top + LABEL_HEIGHT > view.height) return false;
      const c1 = Math.floor((left + width) / LABEL_CELL_WIDTH);
      const r1 = Math.floor((top + LABEL_HEIGHT) / LABEL_CELL_HEIGHT);
      for (let r = Math.floor(top / LABEL_CELL_HEIGHT); r <= r1; r++)
        for (let c = Math.floor(left / LABEL_CELL_WIDTH); c <= c1; c++) if (grid[r * cols + c]) return false;
      return true;
    };
    /** Right of the node, else left, above or below; a forced label takes the right when none is free. */
    const place = (i: number, force: boolean): boolean => {
      const sx = originX + p[2 * i]! * zoom;
      const sy = originY + p[2 * i + 1]! * zoom;
      if (sx < 0 || sx > view.width || sy < 0 || sy > view.height) return false;
      const gap = (i === 0 ? FOCUS_RADIUS : RADIUS) * zoom + 3;
      if (this.labelWidths[i] === 0 && !force) {
        if (measures === 0) {
          waiting = true;
          return false;
        }
        measures--;
      }
      const width = this.labelWidth(ctx, i) + 6;
      const spots: [number, number][] = [
        [sx + gap, sy - LABEL_HEIGHT / 2],
        [sx - gap - width, sy - LABEL_HEIGHT / 2],
        [sx - width / 2, sy - gap - LABEL_HEIGHT],
        [sx - width / 2, sy + gap],
      ];
      let spot = spots.find(([left, top]) => free(left, top, width));
      if (!spot && force) spot = spots[0];
      if (!spot) return false;
      const [left, top] = spot;
      const c0 = Math.max(0, Math.floor(left / LABEL_CELL_WIDTH));
      const c1 = Math.min(cols - 1, Math.floor((left + width) / LABEL_CELL_WIDTH));
      const r0 = Math.max(0, Math.floor(top / LABEL_CELL_HEIGHT));
      const r1 = Math.min(rows - 1, Math.floor((top + LABEL_HEIGHT) / LABEL_CELL_HEIGHT));
      for (let r = r0; r <= r1; r++) grid.fill(1, r * cols + c0, r * cols + c1 + 1);
      spotsTaken.push(i, left, top, width);
      this.labelsDrawn.push(this.label(i));
      return true;
    };
    /** [node, left, top, width] of each label placed, painted last to first: the first placed on top. */
    const spotsTaken: number[] = [];
    let placed = 0;
    if (this.hover >= 0) {
      this.ringNode(ctx, this.hover, originX, originY);
      if (place(this.hover, true)) placed++;
    }
    for (let i = 0; i < n && placed < budget; i++) if (i !== this.hover && place(i, i < forced)) placed++;
    for (let k = spotsTaken.length - 4; k >= 0; k -= 4) {
      const i = spotsTaken[k]!;
      const left = spotsTaken[k + 1]!;
      const top = spotsTaken[k + 2]!;
      ctx.fillStyle = 'rgba(30, 30, 30, 0.85)';
      ctx.fillRect(left, top, spotsTaken[k + 3]!, LABEL_HEIGHT);
      ctx.fillStyle = i === 0 || i === this.hover ? '#ffffff' : '#d4d4d4';
      ctx.fillText(this.label(i), left + 3, top + LABEL_HEIGHT / 2);
    }
    if (waiting) this.requestDraw();
  }

  /** A ring around the hovered node, so it stands out among its neighbours. */
  private ringNode(ctx: Context2D, i: number, originX: number, originY: number): void {
    const radius = Math.max(4, (i === 0 ? FOCUS_RADIUS : RADIUS) * this.zoom) + 2;
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    const p = this.positions;
    ctx.arc(originX + p[2 * i]! * this.zoom, originY + p[2 * i + 1]! * this.zoom, radius, 0, Math.PI * 2);
    ctx.stroke();
  }

  private labelWidth(ctx: Context2D, i: number): number {
    let width = this.labelWidths[i]!;
    if (width === 0) {
      width = ctx.measureText(this.label(i)).width;
      this.labelWidths[i] = width;
    }
    return width;
  }

  /** A node's label, made once: a string's text, else its class's short name and the end of its address. */
  private label(i: number): string {
    let text = this.labels[i];
    if (text === undefined) {
      const heap = this.heap!;
      const node = this.nodes[i]!;
      const value = heap.stringValue(node);
      text =
        value !== undefined
          ? JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value)
          : `${shortName(heap.className(heap.classOf[node]!))} @${(heap.addr[node]! & 0xffff).toString(16).padStart(4, '0')}`;
      this.labels[i] = text;
    }
    return text;
  }

  private toLayout(px: number, py: number): [number, number] {
    const w = this.element.clientWidth;
    const hgt = this.element.clientHeight;
    return [(px - w / 2 - this.panX) / this.zoom, (py - hgt / 2 - this.panY) / this.zoom];
  }

  /** The node under the pointer at (px, py), within a few pixels; -1 for none. */
  private pick(px: number, py: number): number {
    const [lx, ly] = this.toLayout(px, py);
    return nearestNode(this.positions, lx, ly, PICK_PIXELS / this.zoom);
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
    this.userMoved = true;
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
        this.userMoved = true;
        this.moved();
      }
      return;
    }
    this.setHover(this.pick(e.offsetX, e.offsetY), e.offsetX, e.offsetY);
  }

  /** Hovers node `hit` (-1: none): a ring, its label, and a tooltip beside the pointer at (px, py). */
  private setHover(hit: number, px = 0, py = 0): void {
    if (hit >= 0) this.showTooltip(hit, px, py);
    else this.tooltip.hidden = true;
    if (hit === this.hover) return;
    this.hover = hit;
    this.canvas.style.cursor = hit >= 0 ? 'pointer' : 'default';
    this.requestDraw();
  }

  /** What a node is: class, address, size, its first fields or its text, and its references. */
  private showTooltip(i: number, px: number, py: number): void {
    const heap = this.heap;
    if (!heap) return;
    if (i !== this.hover) {
      const node = this.nodes[i]!;
      const view = objectView(heap, node, 0, TOOLTIP_FIELDS);
      const rows = view.fields.slice(0, TOOLTIP_FIELDS).map((f) => [f.name, formatValue(f.value)] as const);
      if (view.elements)
        rows.push(
          ...view.elements.values.slice(0, TOOLTIP_FIELDS).map((v, k) => [`[${k}]`, formatValue(v)] as const),
        );
      clear(this.tooltip);
      append(this.tooltip, [
        h(
          'div',
          { class: 'ph-graph-tooltip-title' },
          h('strong', {}, shortName(view.className)),
          ` ${view.ref}`,
        ),
        h('div', { class: 'ph-graph-tooltip-class' }, `${view.className} · ${formatBytes(view.size)}`),
        view.text !== undefined &&
          h('div', { class: 'ph-graph-tooltip-text' }, JSON.stringify(view.text.slice(0, 80))),
        view.elements && h('div', {}, `${view.elements.length} elements`),
        rows.length > 0 &&
          h('dl', {}, ...rows.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)])),
        h(
          'div',
          { class: 'ph-graph-tooltip-hint' },
          `refers to ${heap.references(node).length} · referred to by ${heap.referrers(node).length} · click to open`,
        ),
      ]);
    }
    this.tooltip.hidden = false;
    // Beside the pointer, flipped to the other side near the right or bottom edge.
    const width = this.tooltip.offsetWidth;
    const height = this.tooltip.offsetHeight;
    const left = px + 14 + width > this.element.clientWidth ? px - 14 - width : px + 14;
    const top = py + 14 + height > this.element.clientHeight ? py - 14 - height : py + 14;
    this.tooltip.style.left = `${Math.max(0, left)}px`;
    this.tooltip.style.top = `${Math.max(0, top)}px`;
  }
}

/** `.demo.noteList` → `noteList`. */
function shortName(className: string): string {
  return className.split('.').pop() || className;
}
