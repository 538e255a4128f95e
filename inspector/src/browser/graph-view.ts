/**
 * An object's neighbourhood as a graph on a canvas: the objects within a few references of it,
 * both ways (what it refers to and what refers to it), laid out by a force simulation and drawn
 * in one pass per frame. Pan by dragging, zoom with the wheel, choose a node to open it.
 *
 * Built to stay smooth at thousands of nodes: positions live in typed arrays, repulsion only
 * acts between nodes in neighbouring grid cells (O(n) per step, not O(n²)), the simulation runs
 * a bounded number of steps per frame and stops when it settles, and edges are stroked as one
 * path. The last frames' draw times are kept for the benchmark.
 */
import type { HeapSnapshot } from '../common/heap.js';
import { formatRef } from '../common/ref.js';
import { h } from './dom.js';

/** Distance the springs pull connected nodes to, in layout units. */
const SPRING_LENGTH = 40;
/** Simulation steps per animation frame, and the most steps before the layout is frozen. */
const STEPS_PER_FRAME = 2;
const MAX_STEPS = 400;
/** Draw times kept for the benchmark. */
const FRAME_SAMPLES = 120;

const PALETTE = ['#7aa2f7', '#bb9af7', '#9ece6a', '#e0af68', '#7dcfff', '#f7768e', '#73daca', '#ff9e64'];

export class GraphView {
  readonly element: HTMLElement;
  /** Milliseconds each of the last frames took to simulate and draw. */
  readonly frameTimes: number[] = [];
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly info: HTMLElement;
  private heap: HeapSnapshot | undefined;
  private nodes = new Int32Array(0);
  private x = new Float64Array(0);
  private y = new Float64Array(0);
  private vx = new Float64Array(0);
  private vy = new Float64Array(0);
  private colour: string[] = [];
  private edgeFrom = new Int32Array(0);
  private edgeTo = new Int32Array(0);
  private steps = 0;
  private panX = 0;
  private panY = 0;
  private zoom = 1;
  private hover = -1;
  private frame = 0;
  private drag: { x: number; y: number; moved: boolean } | undefined;
  private readonly resizeObserver: ResizeObserver;

  constructor(private readonly onOpen: (node: number) => void) {
    this.canvas = h('canvas', {
      class: 'ph-graph-canvas',
      'data-testid': 'inspector-graph-canvas',
      tabindex: 0,
    });
    this.info = h('div', { class: 'ph-graph-info', 'data-testid': 'inspector-graph-info' });
    this.element = h('div', { class: 'ph-graph', 'data-testid': 'inspector-graph' }, this.canvas, this.info);
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
    this.resizeObserver = new ResizeObserver(() => this.requestDraw());
    this.resizeObserver.observe(this.element);
  }

  /** Node count shown, for tests and the status line. */
  get size(): number {
    return this.nodes.length;
  }

  /** Shows the objects within reach of `focus` (breadth first, both directions), at most maxNodes. */
  show(heap: HeapSnapshot, focus: number, maxNodes = 300): void {
    this.heap = heap;
    const index = new Map<number, number>([[focus, 0]]);
    const order = [focus];
    const from: number[] = [];
    const to: number[] = [];
    for (let head = 0; head < order.length; head++) {
      const v = order[head]!;
      const visit = (w: number, outgoing: boolean) => {
        let i = index.get(w);
        if (i === undefined) {
          if (order.length >= maxNodes) return;
          i = order.length;
          index.set(w, i);
          order.push(w);
        }
        from.push(outgoing ? index.get(v)! : i);
        to.push(outgoing ? i : index.get(v)!);
      };
      for (const w of heap.references(v)) visit(w, true);
      for (const w of heap.referrers(v)) visit(w, false);
    }
    const n = order.length;
    this.nodes = Int32Array.from(order);
    this.edgeFrom = Int32Array.from(from);
    this.edgeTo = Int32Array.from(to);
    this.x = new Float64Array(n);
    this.y = new Float64Array(n);
    this.vx = new Float64Array(n);
    this.vy = new Float64Array(n);
    const golden = Math.PI * (3 - Math.sqrt(5));
    for (let i = 0; i < n; i++) {
      const r = SPRING_LENGTH * Math.sqrt(i);
      this.x[i] = r * Math.cos(i * golden);
      this.y[i] = r * Math.sin(i * golden);
    }
    const classColour = new Map<number, string>();
    this.colour = order.map((node) => {
      const cls = heap.classOf[node]!;
      let c = classColour.get(cls);
      if (!c) {
        c = PALETTE[classColour.size % PALETTE.length]!;
        classColour.set(cls, c);
      }
      return c;
    });
    this.steps = 0;
    this.panX = 0;
    this.panY = 0;
    this.zoom = n > 500 ? 0.35 : n > 100 ? 0.7 : 1;
    this.info.textContent = `${n} objects, ${from.length} references around ${formatRef(heap.addr[focus]!)} ${heap.className(heap.classOf[focus]!)}`;
    this.requestDraw();
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    cancelAnimationFrame(this.frame);
  }

  private requestDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const t0 = performance.now();
      let moving = false;
      for (let s = 0; s < STEPS_PER_FRAME && this.steps < MAX_STEPS; s++, this.steps++)
        moving = this.step() || moving;
      this.draw();
      this.frameTimes.push(performance.now() - t0);
      if (this.frameTimes.length > FRAME_SAMPLES) this.frameTimes.shift();
      if (moving && this.steps < MAX_STEPS) this.requestDraw();
    });
  }

  /** One simulation step; returns whether anything still moves noticeably. */
  private step(): boolean {
    const n = this.nodes.length;
    const { x, y, vx, vy } = this;
    const cell = SPRING_LENGTH * 2;
    const grid = new Map<number, number[]>();
    const key = (cx: number, cy: number) => cx * 73856093 + cy * 19349663;
    for (let i = 0; i < n; i++) {
      const k = key(Math.floor(x[i]! / cell), Math.floor(y[i]! / cell));
      const bucket = grid.get(k);
      if (bucket) bucket.push(i);
      else grid.set(k, [i]);
    }
    for (let i = 0; i < n; i++) {
      const cx = Math.floor(x[i]! / cell);
      const cy = Math.floor(y[i]! / cell);
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          const bucket = grid.get(key(cx + dx, cy + dy));
          if (!bucket) continue;
          for (const j of bucket) {
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

  private draw(): void {
    const { canvas, ctx } = this;
    const dpr = window.devicePixelRatio || 1;
    const w = this.element.clientWidth;
    const hgt = this.element.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(hgt * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(hgt * dpr);
      canvas.style.width = `${w}px`;
      canvas.style.height = `${hgt}px`;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    ctx.translate(w / 2 + this.panX, hgt / 2 + this.panY);
    ctx.scale(this.zoom, this.zoom);
    ctx.lineWidth = 1 / this.zoom;
    ctx.strokeStyle = 'rgba(139,139,139,0.45)';
    ctx.beginPath();
    for (let e = 0; e < this.edgeFrom.length; e++) {
      const a = this.edgeFrom[e]!;
      const b = this.edgeTo[e]!;
      ctx.moveTo(this.x[a]!, this.y[a]!);
      ctx.lineTo(this.x[b]!, this.y[b]!);
    }
    ctx.stroke();
    const radius = 5;
    for (let i = 0; i < this.nodes.length; i++) {
      ctx.fillStyle = this.colour[i]!;
      ctx.beginPath();
      ctx.arc(this.x[i]!, this.y[i]!, i === 0 ? radius * 1.8 : radius, 0, Math.PI * 2);
      ctx.fill();
    }
    if (this.heap && (this.zoom > 1.2 || this.nodes.length <= 40 || this.hover >= 0)) {
      ctx.fillStyle = '#e8e8e8';
      ctx.font = `${11 / this.zoom}px system-ui, sans-serif`;
      const label = (i: number) => {
        const node = this.nodes[i]!;
        const text = this.heap!.stringValue(node);
        const name = this.heap!.className(this.heap!.classOf[node]!).split('.').pop();
        ctx.fillText(
          text !== undefined ? JSON.stringify(text.slice(0, 24)) : (name ?? '?'),
          this.x[i]! + 8,
          this.y[i]! + 4,
        );
      };
      if (this.zoom > 1.2 || this.nodes.length <= 40) for (let i = 0; i < this.nodes.length; i++) label(i);
      else label(this.hover);
    }
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
    const next = Math.min(8, Math.max(0.05, this.zoom * factor));
    const w = this.element.clientWidth;
    const hgt = this.element.clientHeight;
    const cx = e.offsetX - w / 2 - this.panX;
    const cy = e.offsetY - hgt / 2 - this.panY;
    this.panX -= cx * (next / this.zoom - 1);
    this.panY -= cy * (next / this.zoom - 1);
    this.zoom = next;
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
        this.requestDraw();
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
