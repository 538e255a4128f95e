/**
 * Retainers and paths as Chrome DevTools' memory panel shows them: who holds an object, by which
 * field, how far each holder is from the root, expanded level by level into a tree whose every
 * branch ends at the root, at garbage or at a cycle; and the path from the root with the field
 * taken at each step. Pure: the object pane draws these (browser/retainers-view.ts), the CLI
 * prints the path.
 *
 * Distance is the number of references from the root (the root is 0), as DevTools' "Distance"
 * column: the holder with the smallest distance is the way the object is kept alive, which is why
 * retainers are listed nearest first.
 */
import { pathFromRoot } from './graph.js';
import type { HeapSnapshot } from './heap.js';
import { referenceNames } from './objects.js';

/** Distance of an object the root does not reach. */
export const UNREACHABLE = -1;

/** References from the root to each object, breadth first (UNREACHABLE where it reaches none). */
export function distancesFromRoot(heap: HeapSnapshot): Int32Array {
  const distance = new Int32Array(heap.count).fill(UNREACHABLE);
  const queue = new Int32Array(heap.count);
  let head = 0;
  let tail = 0;
  queue[tail++] = heap.root;
  distance[heap.root] = 0;
  while (head < tail) {
    const v = queue[head++]!;
    const out = heap.references(v);
    for (let k = 0; k < out.length; k++) {
      const w = out[k]!;
      if (distance[w] !== UNREACHABLE) continue;
      distance[w] = distance[v]! + 1;
      queue[tail++] = w;
    }
  }
  return distance;
}

/** One holder of an object: a row of the retainers tree. */
export interface Retainer {
  node: number;
  /** The holder's fields (or `[i]` elements) that refer to the object. */
  via: string[];
  /** The holder's distance from the root, or UNREACHABLE (garbage that still refers to it). */
  distance: number;
  /**
   * The holder is already on this branch of the tree (the object it holds leads back to it):
   * shown, never expanded, as DevTools does.
   */
  cycle: boolean;
}

/**
 * The distinct holders of `node`, nearest the root first, garbage last (ties by address, so the
 * order is stable). `branch` is the nodes from the tree's top down to `node`, for cycles.
 */
export function retainersOf(
  heap: HeapSnapshot,
  node: number,
  distance: Int32Array,
  branch: ReadonlySet<number> = new Set([node]),
): Retainer[] {
  const holders = [...new Set(heap.referrers(node))];
  const rank = (d: number) => (d === UNREACHABLE ? Number.POSITIVE_INFINITY : d);
  holders.sort((a, b) => rank(distance[a]!) - rank(distance[b]!) || heap.addr[a]! - heap.addr[b]!);
  return holders.map((holder) => ({
    node: holder,
    via: referenceNames(heap, holder, node),
    distance: distance[holder]!,
    cycle: branch.has(holder),
  }));
}

/** One step of a path from the root: the object, and the field of the step before that led here. */
export interface PathStep {
  node: number;
  /** Unset for the root. */
  via?: string;
}

/** The shortest path from the root to `target`, each step named by its field, or undefined (garbage). */
export function namedPathFromRoot(heap: HeapSnapshot, target: number): PathStep[] | undefined {
  const path = pathFromRoot(heap, target);
  return path?.map((node, i) =>
    i === 0 ? { node } : { node, via: referenceNames(heap, path[i - 1]!, node)[0] ?? '?' },
  );
}
