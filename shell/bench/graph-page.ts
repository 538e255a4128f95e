/**
 * The graph benchmark's page: the inspector's graph view (inspector/src/browser/graph-view.ts)
 * showing 5,000 objects around one object of a mesh (each object refers to its right and lower
 * neighbour, so every object has up to four edges), without a host. The space is laid out by the
 * inspector's test fixture exactly as the object format says, and read back by HeapSnapshot.
 * Bundled by bench/run.mjs.
 */
import { GraphView } from '@phantom/inspector/browser/graph-view.js';
import { HeapSnapshot } from '@phantom/inspector/common/heap.js';
import { int, ref, SpaceFixture } from '@phantom/inspector/common/heap-fixture.test.js';
import '@phantom/inspector/browser/inspector.css';

/** The mesh is SIDE × SIDE objects; the view shows NODES of them around the centre. */
const SIDE = 80;
const NODES = 5000;
/** The page is ready once no frame has been drawn for this long (the layout has settled). */
const QUIET_MS = 1000;

function meshSpace(): { bytes: Uint8Array; centre: number } {
  const f = new SpaceFixture(8 << 20);
  f.rootClass(['corner']);
  f.defineClass('.bench.cell', ['right', 'down', 'value']);
  f.defineClass('.bench.edgeCell', ['right', 'down', 'value']);
  const cells = new Uint32Array(SIDE * SIDE);
  for (let row = SIDE - 1; row >= 0; row--) {
    for (let col = SIDE - 1; col >= 0; col--) {
      const right = col + 1 < SIDE ? ref(cells[row * SIDE + col + 1]!) : 0;
      const down = row + 1 < SIDE ? ref(cells[(row + 1) * SIDE + col]!) : 0;
      const edge = row === 0 || col === 0 || row === SIDE - 1 || col === SIDE - 1;
      cells[row * SIDE + col] = f.object(edge ? '.bench.edgeCell' : '.bench.cell', [
        right,
        down,
        int(row * SIDE + col),
      ]);
    }
  }
  const bytes = f.finish(f.object('.internal.root', [ref(cells[0]!)]));
  return { bytes, centre: cells[(SIDE / 2) * SIDE + SIDE / 2]! };
}

const { bytes, centre } = meshSpace();
const heap = new HeapSnapshot(bytes);
const view = new GraphView({ onOpen: () => {} });
const host = document.querySelector<HTMLElement>('[data-panel="graph"]')!;
host.append(view.element);
view.show(heap, heap.indexOf(centre), Number.POSITIVE_INFINITY, NODES);
Object.assign(window, { graphView: view });

let seen = -1;
let quietSince = performance.now();
const waitForQuiet = () => {
  const drawn = view.frameTimes.length + view.frameTimes.reduce((a, b) => a + b, 0);
  if (drawn !== seen) {
    seen = drawn;
    quietSince = performance.now();
  }
  if (performance.now() - quietSince >= QUIET_MS) document.body.dataset.ready = 'true';
  else setTimeout(waitForQuiet, 100);
};
waitForQuiet();
