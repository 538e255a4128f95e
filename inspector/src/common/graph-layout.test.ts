// The graph view's model without a DOM: the neighbourhood walk (depths, limits, edges once),
// class colours, the d3-force layout (deterministic, settles, keeps the focus at the centre,
// puts connected objects nearer each other than unconnected ones), hit-testing, fitting, the
// worker's message loop, and a neighbourhood of a real heap laid out as the format says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CHARGE_REACH,
  colourGroups,
  DEFAULT_HOPS,
  ForceLayout,
  fitNeighbours,
  type GraphSource,
  isLayoutUpdate,
  type LayoutUpdate,
  LINK_DISTANCE,
  layoutService,
  MAX_FIT_ZOOM,
  MAX_TICKS,
  nearestNode,
  neighbourhood,
} from './graph-layout.js';
import { HeapSnapshot } from './heap.js';
import { int, ref, SpaceFixture } from './heap-fixture.test.js';

/** A graph from a list of references [from, to]. */
function graphOf(count: number, references: [number, number][]): GraphSource {
  const out = Array.from({ length: count }, () => [] as number[]);
  const into = Array.from({ length: count }, () => [] as number[]);
  for (const [from, to] of references) {
    out[from]!.push(to);
    into[to]!.push(from);
  }
  return { references: (v) => out[v]!, referrers: (v) => into[v]! };
}

/** 0 → 1 → 2 → 3 → 4 → 5, and 6 → 0 (a referrer of the focus), 2 → 2 (a self-reference). */
const chain = graphOf(7, [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [4, 5],
  [6, 0],
  [2, 2],
]);

test('a neighbourhood follows references both ways, breadth first, to the depth asked', () => {
  const two = neighbourhood(chain, 0, { hops: 2, maxNodes: 100 });
  assert.deepEqual([...two.nodes], [0, 1, 6, 2]);
  assert.deepEqual([...two.depth], [0, 1, 1, 2]);
  assert.equal(two.neighboursEnd, 3, 'the focus, then its two direct neighbours');
  // Each reference between shown objects once, as indices into nodes; the self-reference too.
  const edges = [...two.edgeFrom].map((from, k) => `${two.nodes[from]}→${two.nodes[two.edgeTo[k]!]}`);
  assert.deepEqual(edges.sort(), ['0→1', '1→2', '2→2', '6→0']);
  assert.equal(two.limitedBy, 'hops');
  assert.equal(two.nextHop, 1, 'object 3 lies one reference further');

  const all = neighbourhood(chain, 0, { hops: Number.POSITIVE_INFINITY, maxNodes: 100 });
  assert.deepEqual([...all.nodes].sort(), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(all.limitedBy, null);
  assert.equal(all.nextHop, 0);
  // Deep enough to reach everything is not limited by the depth.
  assert.equal(neighbourhood(chain, 0, { hops: 5, maxNodes: 100 }).limitedBy, null);
});

test('the size limit cuts the walk and says so', () => {
  const three = neighbourhood(chain, 0, { hops: Number.POSITIVE_INFINITY, maxNodes: 3 });
  assert.deepEqual([...three.nodes], [0, 1, 6]);
  assert.equal(three.limitedBy, 'size');
  assert.ok(three.edgeFrom.every((from, k) => from < 3 && three.edgeTo[k]! < 3));
  // Exactly the whole reach is not cut.
  assert.equal(neighbourhood(chain, 0, { hops: Number.POSITIVE_INFINITY, maxNodes: 7 }).limitedBy, null);
  const alone = neighbourhood(graphOf(1, []), 0, { hops: DEFAULT_HOPS, maxNodes: 10 });
  assert.deepEqual([...alone.nodes], [0]);
  assert.equal(alone.neighboursEnd, 1);
  assert.equal(alone.limitedBy, null);
});

test("colours go to the focus's class first, then the most numerous, the rest share one", () => {
  // Class of each node; node 0 is the focus (class 9).
  const groups = colourGroups([9, 1, 1, 1, 2, 2, 3, 4, 5], 4);
  assert.deepEqual(groups.named, [9, 1, 2]);
  assert.deepEqual(groups.others, [3, 4, 5]);
  assert.deepEqual([...groups.colourOf], [0, 1, 1, 1, 2, 2, 3, 3, 3]);
  assert.deepEqual([...groups.starts], [0, 1, 4, 6, 9]);
  assert.deepEqual([...groups.order], [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(groups.counts.get(1), 3);
  // As many classes as colours: no "other".
  const few = colourGroups([2, 1, 1], 4);
  assert.deepEqual(few.named, [2, 1]);
  assert.deepEqual(few.others, []);
  assert.deepEqual([...few.order], [0, 1, 2]);
});

/** Two rings of ten joined by one reference, and a focus that refers to the first. */
function twoRings(): { count: number; from: number[]; to: number[] } {
  const from: number[] = [0];
  const to: number[] = [1];
  for (const base of [1, 11])
    for (let k = 0; k < 10; k++) {
      from.push(base + k);
      to.push(base + ((k + 1) % 10));
    }
  from.push(5);
  to.push(15);
  return { count: 21, from, to };
}

function distance(p: Float32Array, a: number, b: number): number {
  return Math.hypot(p[2 * a]! - p[2 * b]!, p[2 * a + 1]! - p[2 * b + 1]!);
}

test('the force layout settles, deterministically, with the focus at the centre and references short', () => {
  const { count, from, to } = twoRings();
  const layout = new ForceLayout(count, from, to);
  assert.equal(layout.settled, false);
  while (!layout.tick(10));
  assert.ok(layout.steps <= MAX_TICKS + 1, `${layout.steps} ticks`);
  const p = layout.positions();
  assert.ok(p.every(Number.isFinite));
  assert.deepEqual([p[0], p[1]], [0, 0], 'the focus is held at the origin');
  // References pull: neighbours on a ring are about a spring apart, far nearer than across rings.
  const alongRing = distance(p, 1, 2);
  assert.ok(alongRing > LINK_DISTANCE * 0.5 && alongRing < LINK_DISTANCE * 2, `${alongRing}`);
  // Referenced pairs lie far nearer each other than objects do on average.
  let linked = 0;
  for (let k = 0; k < from.length; k++) linked += distance(p, from[k]!, to[k]!);
  let all = 0;
  for (let a = 0; a < count; a++) for (let b = a + 1; b < count; b++) all += distance(p, a, b);
  const linkedMean = linked / from.length;
  const allMean = all / ((count * (count - 1)) / 2);
  assert.ok(linkedMean < allMean * 0.5, `referenced pairs ${linkedMean} apart, all pairs ${allMean}`);
  // Repulsion keeps every two objects apart.
  for (let a = 0; a < count; a++)
    for (let b = a + 1; b < count; b++) assert.ok(distance(p, a, b) > 5, `${a} and ${b} overlap`);
  // The same graph, the same picture.
  const again = new ForceLayout(count, from, to);
  while (!again.tick(50));
  assert.deepEqual(again.positions(), p);
});

test('a layout of hundreds of nodes stays finite and within reach of the centre', () => {
  // A 24 × 24 mesh: each node refers to its right and lower neighbour.
  const side = 24;
  const from: number[] = [];
  const to: number[] = [];
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++) {
      for (const [right, down] of [
        [1, 0],
        [0, 1],
      ] as const)
        if (c + right < side && r + down < side) {
          from.push(r * side + c);
          to.push((r + down) * side + c + right);
        }
    }
  const layout = new ForceLayout(side * side, from, to);
  layout.tick(MAX_TICKS);
  assert.equal(layout.settled, true);
  const p = layout.positions();
  assert.ok(p.every(Number.isFinite));
  const farthest = Math.max(
    ...Array.from({ length: side * side }, (_, i) => Math.hypot(p[2 * i]!, p[2 * i + 1]!)),
  );
  assert.ok(farthest < CHARGE_REACH * 4, `the farthest node is ${farthest} from the centre`);
});

test('hit-testing finds the nearest node within reach; fitting zooms to the neighbours', () => {
  const p = Float32Array.from([0, 0, 40, 0, 0, 80, -200, 0]);
  assert.equal(nearestNode(p, 38, 3, 8), 1);
  assert.equal(nearestNode(p, 1, 1, 8), 0);
  assert.equal(nearestNode(p, 20, 0, 8), -1, 'between two nodes, near neither');
  assert.equal(nearestNode(new Float32Array(0), 0, 0, 8), -1);
  // Neighbours 1..3: distances 40, 80, 200; the median (80) fills 35% of a 400 px view.
  assert.equal(fitNeighbours(p, 4, 400), (400 * 0.35) / 80);
  assert.equal(fitNeighbours(p, 1, 400), MAX_FIT_ZOOM, 'no neighbours: as near as allowed');
  assert.equal(fitNeighbours(Float32Array.from([0, 0, 1, 0]), 2, 4000), MAX_FIT_ZOOM);
});

test('the worker loop posts positions each slice until settled, and a new request replaces the old', () => {
  const posted: LayoutUpdate[] = [];
  const queue: (() => void)[] = [];
  let clock = 0;
  const serve = layoutService(
    (update) => posted.push(update),
    (work) => queue.push(work),
    () => (clock += 1),
  );
  const { count, from, to } = twoRings();
  serve({
    kind: 'layout',
    id: 1,
    nodeCount: count,
    edgeFrom: Int32Array.from(from),
    edgeTo: Int32Array.from(to),
  });
  assert.equal(posted.length, 1, 'the starting positions at once');
  assert.equal(posted[0]!.steps, 0);
  queue.shift()!();
  assert.equal(posted.length, 2);
  assert.ok(posted[1]!.steps > 0 && !posted[1]!.settled);
  // A second graph replaces the first: the first's pending slice posts nothing more.
  serve({
    kind: 'layout',
    id: 2,
    nodeCount: 2,
    edgeFrom: Int32Array.from([0]),
    edgeTo: Int32Array.from([1]),
  });
  while (queue.length > 0) queue.shift()!();
  const later = posted.slice(2);
  assert.ok(later.length >= 2);
  assert.ok(later.every((update) => update.id === 2));
  assert.equal(later.at(-1)!.settled, true);
  assert.ok(isLayoutUpdate(later.at(-1), 2, 2));
  // A stop ends a layout between slices.
  serve({
    kind: 'layout',
    id: 3,
    nodeCount: count,
    edgeFrom: Int32Array.from(from),
    edgeTo: Int32Array.from(to),
  });
  serve({ kind: 'stop' });
  const before = posted.length;
  while (queue.length > 0) queue.shift()!();
  assert.equal(posted.length, before);
});

test('only an update of the current layout with the right number of positions is taken', () => {
  const update = { id: 4, positions: new Float32Array(6), steps: 3, settled: false };
  assert.equal(isLayoutUpdate(update, 4, 3), true);
  assert.equal(isLayoutUpdate(update, 5, 3), false, 'an earlier layout');
  assert.equal(isLayoutUpdate(update, 4, 4), false, 'another graph');
  for (const bad of [
    null,
    42,
    'x',
    {},
    { ...update, positions: [0, 0, 0, 0, 0, 0] },
    { ...update, settled: 'yes' },
  ])
    assert.equal(isLayoutUpdate(bad, 4, 3), false, JSON.stringify(bad));
});

test("a heap's neighbourhood: an object, what it refers to and what refers to it", () => {
  const f = new SpaceFixture(1 << 20);
  f.rootClass(['list']);
  f.defineClass('.t.item', ['next', 'value']);
  const third = f.object('.t.item', [0, int(3)]);
  const second = f.object('.t.item', [ref(third), int(2)]);
  const first = f.object('.t.item', [ref(second), int(1)]);
  const heap = new HeapSnapshot(f.finish(f.object('.internal.root', [ref(first)])));
  const one = neighbourhood(heap, heap.indexOf(second), { hops: 1, maxNodes: 100 });
  assert.deepEqual(
    [...one.nodes].map((node) => heap.addr[node]),
    [second, third, first],
    'the focus, what it refers to, then its referrer',
  );
  assert.equal(one.limitedBy, 'hops');
});
