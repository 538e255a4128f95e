/**
 * The graph view's layout worker: runs the force layout of ../common/graph-layout.ts off the
 * page's main thread, so a layout of thousands of nodes never holds up a frame or the input.
 * It answers each request with the nodes' positions after every slice of ticks (transferred,
 * not copied) until the layout settles, a newer request replaces it, or the page says stop.
 * Bundled on its own as `graph-layout.worker.js` (GRAPH_LAYOUT_WORKER_FILE) beside the page that
 * mounts the view: the studio's shell/build.mjs, the e2e harness and the benchmark's page.
 */
import { type LayoutRequest, type LayoutUpdate, layoutService } from '../common/graph-layout.js';

/** The little of a dedicated worker's global scope used here (the DOM library types `self` as a window). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutUpdate, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;
const serve = layoutService(
  (update) => scope.postMessage(update, [update.positions.buffer]),
  // A task, not a microtask: the next slice runs after the worker has read waiting messages.
  (work) => setTimeout(work, 0),
  () => performance.now(),
);
scope.onmessage = (event) => serve(event.data);
