/**
 * The graph view's model, with no DOM: which objects around a focus are shown (a neighbourhood a
 * set number of references deep, both ways), how they are coloured by class, where a force
 * layout puts them, and the geometry the view asks of that layout (the node under the pointer,
 * the zoom that fits the focus's neighbours). The layout is d3-force (many-body repulsion on a
 * Barnes–Hut quadtree, springs along references, a weak pull to the centre); it runs in a Web
 * Worker (../browser/graph-layout-worker.ts) through the messages defined here, and in the tests
 * as a plain class. Drawing is ../browser/graph-view.ts. Kept apart, as the timeline's model is
 * (shell/src/common/timeline-layout.ts), so it is tested and tuned without a browser.
 */
import {
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  type Simulation,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
} from 'd3-force';

/** What the neighbourhood walks: a heap snapshot, or any graph given as adjacency (the tests'). */
export interface GraphSource {
  references(node: number): ArrayLike<number>;
  referrers(node: number): ArrayLike<number>;
}

/**
 * How deep a neighbourhood reaches by default. Two references each way around an object of the
 * notes example is 31 objects, readable at a glance; the whole reach of that object (what the
 * view showed before there was a limit) is 296 objects, which a new user could not read.
 */
export const DEFAULT_HOPS = 2;
/** The depths the view offers; `Infinity` is "everything within reach", up to the size limit. */
export const HOP_CHOICES = [1, 2, 3, 5, Number.POSITIVE_INFINITY] as const;
/** How many objects the view can show at most. */
export const GRAPH_SIZES = [300, 1000, 5000] as const;

export interface NeighbourhoodOptions {
  /** References to follow from the focus, either way (Infinity: no limit but maxNodes). */
  hops: number;
  maxNodes: number;
}

/** The objects shown around a focus, breadth first, and every reference between them. */
export interface Neighbourhood {
  /** Object indices (the source's), the focus first, then by distance from it. */
  nodes: Int32Array;
  /** Each node's distance from the focus, in references. */
  depth: Uint8Array;
  /** References between shown nodes, as indices into `nodes`, each once (from the referrer). */
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  /** nodes[1 .. neighboursEnd) are the focus's direct neighbours. */
  neighboursEnd: number;
  /**
   * What stopped the walk: `hops` (objects lie one reference further), `size` (maxNodes was
   * reached with objects left at the last depth) or null (the whole reach is shown).
   */
  limitedBy: 'hops' | 'size' | null;
  /** With `hops`: how many more objects one more hop would show (counted up to maxNodes). */
  nextHop: number;
}

/** Depths are kept in a byte; a walk deeper than this counts as this deep. */
const MAX_DEPTH = 255;

export function neighbourhood(
  graph: GraphSource,
  focus: number,
  options: NeighbourhoodOptions,
): Neighbourhood {
  const { hops, maxNodes } = options;
  const index = new Map<number, number>([[focus, 0]]);
  const order = [focus];
  const depths = [0];
  let limitedBy: Neighbourhood['limitedBy'] = null;
  let nextHop = 0;
  let neighboursEnd = 1;
  // Breadth first, a whole depth at a time, so that a limit cuts between depths where it can.
  let frontierStart = 0;
  for (let depth = 1; frontierStart < order.length; depth++) {
    const frontierEnd = order.length;
    if (depth > hops) {
      // Count what the next hop would add, without adding it.
      const seen = new Set<number>();
      for (let k = frontierStart; k < frontierEnd && nextHop < maxNodes; k++)
        for (const list of [graph.references(order[k]!), graph.referrers(order[k]!)])
          for (let i = 0; i < list.length; i++) {
            const w = list[i]!;
            if (!index.has(w) && !seen.has(w)) {
              seen.add(w);
              nextHop++;
            }
          }
      if (nextHop > 0) limitedBy = 'hops';
      break;
    }
    for (let k = frontierStart; k < frontierEnd && limitedBy === null; k++)
      for (const list of [graph.references(order[k]!), graph.referrers(order[k]!)])
        for (let i = 0; i < list.length; i++) {
          const w = list[i]!;
          if (index.has(w)) continue;
          if (order.length >= maxNodes) {
            limitedBy = 'size';
            break;
          }
          index.set(w, order.length);
          order.push(w);
          depths.push(Math.min(depth, MAX_DEPTH));
        }
    if (depth === 1) neighboursEnd = order.length;
    if (limitedBy) break;
    frontierStart = frontierEnd;
  }
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < order.length; i++) {
    const refs = graph.references(order[i]!);
    for (let r = 0; r < refs.length; r++) {
      const j = index.get(refs[r]!);
      if (j !== undefined) {
        from.push(i);
        to.push(j);
      }
    }
  }
  return {
    nodes: Int32Array.from(order),
    depth: Uint8Array.from(depths),
    edgeFrom: Int32Array.from(from),
    edgeTo: Int32Array.from(to),
    neighboursEnd,
    limitedBy,
    nextHop,
  };
}

/** Nodes grouped by the colour of their class, for drawing one colour at a time, and the legend. */
export interface ColourGroups {
  /** Classes with a colour of their own, in colour order: the focus's first, then the most numerous. */
  named: number[];
  /** The classes sharing the last colour ("other classes"), most numerous first. */
  others: number[];
  /** Nodes of each class shown. */
  counts: Map<number, number>;
  /** Each node's colour: 0 … named.length - 1, or named.length for "other". */
  colourOf: Uint8Array;
  /** Node indices grouped by colour: order[starts[c] .. starts[c + 1]). */
  order: Int32Array;
  starts: Int32Array;
}

/** Colours `classOf` (each node's class) with `paletteSize` colours, the last kept for "other" when needed. */
export function colourGroups(classOf: ArrayLike<number>, paletteSize: number): ColourGroups {
  const counts = new Map<number, number>();
  for (let i = 0; i < classOf.length; i++) counts.set(classOf[i]!, (counts.get(classOf[i]!) ?? 0) + 1);
  const focusClass = classOf[0];
  const ranked = [...counts.keys()].sort(
    (a, b) => Number(b === focusClass) - Number(a === focusClass) || counts.get(b)! - counts.get(a)! || a - b,
  );
  const namedCount = ranked.length > paletteSize ? paletteSize - 1 : ranked.length;
  const colourOfClass = new Map(ranked.slice(0, namedCount).map((cls, c) => [cls, c]));
  const colourOf = new Uint8Array(classOf.length);
  const colours = namedCount + (ranked.length > namedCount ? 1 : 0);
  const starts = new Int32Array(colours + 1);
  for (let i = 0; i < classOf.length; i++) {
    colourOf[i] = colourOfClass.get(classOf[i]!) ?? namedCount;
    starts[colourOf[i]! + 1]!++;
  }
  for (let c = 0; c < colours; c++) starts[c + 1]! += starts[c]!;
  const next = starts.slice(0, colours);
  const order = new Int32Array(classOf.length);
  for (let i = 0; i < classOf.length; i++) order[next[colourOf[i]!]!++] = i;
  return {
    named: ranked.slice(0, namedCount),
    others: ranked.slice(namedCount),
    counts,
    colourOf,
    order,
    starts,
  };
}

/** The layout's coefficients, in layout units (a node is drawn with radius NODE_RADIUS). */
export const NODE_RADIUS = 5;
/** Length the springs along references pull towards: room for a label between neighbours. */
export const LINK_DISTANCE = 40;
/** Repulsion between every two nodes (d3's many-body strength; negative repels). */
export const CHARGE_STRENGTH = -80;
/** Beyond this distance nodes no longer repel: far parts of a large graph do not push each other away for ever. */
export const CHARGE_REACH = 600;
/** Barnes–Hut accuracy: a cell this far relative to its size counts as one body (d3's default, 0.9). */
export const CHARGE_THETA = 0.9;
/** Each node's pull towards the centre, which keeps loosely connected parts from drifting off. */
export const CENTRE_PULL = 0.03;
/** Velocity kept per tick is 1 − this (d3's friction). */
export const VELOCITY_DECAY = 0.4;
/** The layout stops when its temperature (d3's alpha) falls below this… */
export const SETTLED_ALPHA = 0.002;
/** …which its cooling reaches in this many ticks. */
export const MAX_TICKS = 300;

interface LayoutNode extends SimulationNodeDatum {
  index: number;
}

/**
 * A force layout of `nodeCount` nodes joined by (from[k], to[k]) edges, node 0 (the focus) held at
 * the origin. Deterministic: d3-force places nodes on a phyllotaxis spiral in index order (the
 * neighbourhood's breadth-first order, so near nodes start near the focus) and jiggles with its
 * own seeded generator.
 */
export class ForceLayout {
  private readonly simulation: Simulation<LayoutNode, SimulationLinkDatum<LayoutNode>>;
  private readonly nodes: LayoutNode[];
  private ticks = 0;

  constructor(nodeCount: number, edgeFrom: ArrayLike<number>, edgeTo: ArrayLike<number>) {
    this.nodes = Array.from({ length: nodeCount }, (_, index) => ({ index }));
    if (nodeCount > 0) Object.assign(this.nodes[0]!, { fx: 0, fy: 0 });
    const links: SimulationLinkDatum<LayoutNode>[] = [];
    for (let k = 0; k < edgeFrom.length; k++)
      // A self-reference pulls nothing.
      if (edgeFrom[k] !== edgeTo[k]) links.push({ source: edgeFrom[k]!, target: edgeTo[k]! });
    // stop(): d3 would otherwise run itself on a timer; the caller ticks it in slices instead.
    this.simulation = forceSimulation(this.nodes)
      .stop()
      .velocityDecay(VELOCITY_DECAY)
      .alphaMin(SETTLED_ALPHA)
      .alphaDecay(1 - SETTLED_ALPHA ** (1 / MAX_TICKS))
      .force('links', forceLink<LayoutNode, SimulationLinkDatum<LayoutNode>>(links).distance(LINK_DISTANCE))
      .force(
        'charge',
        forceManyBody<LayoutNode>().strength(CHARGE_STRENGTH).distanceMax(CHARGE_REACH).theta(CHARGE_THETA),
      )
      .force('x', forceX<LayoutNode>(0).strength(CENTRE_PULL))
      .force('y', forceY<LayoutNode>(0).strength(CENTRE_PULL));
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Ticks run so far. */
  get steps(): number {
    return this.ticks;
  }

  get settled(): boolean {
    return this.simulation.alpha() < this.simulation.alphaMin() || this.nodes.length <= 1;
  }

  /** Runs up to `count` ticks, fewer once settled; returns whether it has settled. */
  tick(count = 1): boolean {
    for (let k = 0; k < count && !this.settled; k++) {
      this.simulation.tick();
      this.ticks++;
    }
    return this.settled;
  }

  /** Positions as [x0, y0, x1, y1, …], in `into` when it is given (and large enough). */
  positions(into = new Float32Array(this.nodes.length * 2)): Float32Array {
    for (let i = 0; i < this.nodes.length; i++) {
      into[2 * i] = this.nodes[i]!.x ?? 0;
      into[2 * i + 1] = this.nodes[i]!.y ?? 0;
    }
    return into;
  }
}

/** The node nearest (x, y) within `reach` layout units, or -1; positions as ForceLayout gives them. */
export function nearestNode(positions: Float32Array, x: number, y: number, reach: number): number {
  let best = -1;
  let bestDistance = reach * reach;
  for (let i = 0; 2 * i + 1 < positions.length; i++) {
    const dx = positions[2 * i]! - x;
    const dy = positions[2 * i + 1]! - y;
    const distance = dx * dx + dy * dy;
    if (distance <= bestDistance) {
      best = i;
      bestDistance = distance;
    }
  }
  return best;
}

/** The largest zoom fitNeighbours chooses: a few neighbours are not drawn huge. */
export const MAX_FIT_ZOOM = 2.5;
/** The share of the view's smaller side the focus's neighbours take when the view fits them. */
export const NEIGHBOURS_FILL = 0.35;

/**
 * The zoom at which the focus's direct neighbours (nodes 1 … neighboursEnd - 1, at most the first
 * `neighbours`) fill NEIGHBOURS_FILL of a view `side` pixels across: by their median distance from
 * the focus, so one neighbour pulled far off by its own references does not shrink the rest.
 */
export function fitNeighbours(
  positions: Float32Array,
  neighboursEnd: number,
  side: number,
  neighbours = 40,
): number {
  const distances: number[] = [];
  const end = Math.min(neighboursEnd, neighbours + 1, positions.length / 2);
  for (let i = 1; i < end; i++) distances.push(Math.hypot(positions[2 * i]!, positions[2 * i + 1]!));
  distances.sort((a, b) => a - b);
  const reach = Math.max(LINK_DISTANCE, distances[distances.length >> 1] ?? 0);
  return Math.min(MAX_FIT_ZOOM, (side * NEIGHBOURS_FILL) / reach);
}

/** The page asks the worker to lay out a graph (replacing any it was laying out), or to stop. */
export type LayoutRequest =
  | { kind: 'layout'; id: number; nodeCount: number; edgeFrom: Int32Array; edgeTo: Int32Array }
  | { kind: 'stop' };

/** The worker's answer, after every slice of ticks: where the nodes are now. */
export interface LayoutUpdate {
  id: number;
  /** [x0, y0, x1, y1, …] for the request's nodeCount nodes. */
  positions: Float32Array;
  steps: number;
  settled: boolean;
}

/** Whether `data` (a message from the worker) is an update of layout `id` with `nodeCount` nodes. */
export function isLayoutUpdate(data: unknown, id: number, nodeCount: number): data is LayoutUpdate {
  if (typeof data !== 'object' || data === null) return false;
  const update = data as Partial<LayoutUpdate>;
  return (
    update.id === id &&
    update.positions instanceof Float32Array &&
    update.positions.length === nodeCount * 2 &&
    typeof update.steps === 'number' &&
    typeof update.settled === 'boolean'
  );
}

/** How long the worker ticks before it posts positions: about one frame's worth of work. */
export const LAYOUT_SLICE_MS = 12;

/**
 * What the worker does with the messages it gets, with no Worker in it: `post` sends an update
 * (transferring its positions), `later` runs the next slice after the worker has read its
 * messages (so a new request or a stop is seen between slices), `now` reads a clock.
 */
export function layoutService(
  post: (update: LayoutUpdate) => void,
  later: (work: () => void) => void,
  now: () => number,
): (request: LayoutRequest) => void {
  let current: { id: number; layout: ForceLayout } | undefined;
  const slice = (job: { id: number; layout: ForceLayout }) => {
    if (current !== job) return;
    const end = now() + LAYOUT_SLICE_MS;
    let settled = job.layout.settled;
    while (!settled && now() < end) settled = job.layout.tick();
    post({ id: job.id, positions: job.layout.positions(), steps: job.layout.steps, settled });
    if (settled) current = undefined;
    else later(() => slice(job));
  };
  return (request) => {
    if (request.kind === 'stop') {
      current = undefined;
      return;
    }
    const job = {
      id: request.id,
      layout: new ForceLayout(request.nodeCount, request.edgeFrom, request.edgeTo),
    };
    current = job;
    // The starting positions at once, so the view draws something before the first slice ends.
    post({ id: job.id, positions: job.layout.positions(), steps: 0, settled: job.layout.settled });
    if (job.layout.settled) current = undefined;
    else later(() => slice(job));
  };
}

/** The layout worker's file, served beside every page that mounts the graph view. */
export const GRAPH_LAYOUT_WORKER_FILE = 'graph-layout.worker.js';
