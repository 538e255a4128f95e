/**
 * Graph queries over a HeapSnapshot: dominators and retained sizes, the class summary, the
 * shortest path from the root, and finding objects by class or field value. Everything runs on
 * the snapshot's typed arrays without recursion, so a million-object generation is fine.
 *
 * Reachability is from the root object only: threads, frames and stacks are objects reachable
 * from the root's thread list, so "live" here means exactly what the collector keeps.
 */
import type { HeapSnapshot } from './heap.js';

/** Immediate dominator of every node (-1 for the root and for unreachable nodes), by Lengauer–Tarjan. */
export function dominators(heap: HeapSnapshot): Int32Array {
  const n = heap.count;
  const idom = new Int32Array(n).fill(-1);
  // DFS numbering from the root (iterative). Numbers are 1-based; 0 means unvisited.
  const dfnum = new Int32Array(n);
  const vertex = new Int32Array(n + 1);
  const parent = new Int32Array(n + 1);
  const stackNode = new Int32Array(n);
  const stackEdge = new Uint32Array(n);
  let count = 0;
  let sp = 0;
  dfnum[heap.root] = ++count;
  vertex[count] = heap.root;
  stackNode[sp] = heap.root;
  stackEdge[sp++] = heap.edgeStart[heap.root]!;
  while (sp > 0) {
    const v = stackNode[sp - 1]!;
    const e = stackEdge[sp - 1]!;
    if (e === heap.edgeStart[v + 1]!) {
      sp--;
      continue;
    }
    stackEdge[sp - 1] = e + 1;
    const w = heap.edges[e]!;
    if (dfnum[w] !== 0) continue;
    dfnum[w] = ++count;
    vertex[count] = w;
    parent[count] = dfnum[v]!;
    stackNode[sp] = w;
    stackEdge[sp++] = heap.edgeStart[w]!;
  }
  // Work in DFS numbers 1..count.
  const semi = new Int32Array(count + 1);
  const ancestor = new Int32Array(count + 1);
  const label = new Int32Array(count + 1);
  const dom = new Int32Array(count + 1);
  const bucketHead = new Int32Array(count + 1).fill(-1);
  const bucketNext = new Int32Array(count + 1).fill(-1);
  for (let i = 1; i <= count; i++) {
    semi[i] = i;
    label[i] = i;
  }
  const compressStack = new Int32Array(count + 1);
  const evaluate = (v: number): number => {
    if (ancestor[v] === 0) return v;
    // Path compression without recursion: collect the chain, then fold from the top down.
    let top = 0;
    let u = v;
    while (ancestor[ancestor[u]!] !== 0) {
      compressStack[top++] = u;
      u = ancestor[u]!;
    }
    while (top > 0) {
      const x = compressStack[--top]!;
      const a = ancestor[x]!;
      if (semi[label[a]!]! < semi[label[x]!]!) label[x] = label[a]!;
      ancestor[x] = ancestor[a]!;
    }
    return label[v]!;
  };
  for (let w = count; w >= 2; w--) {
    const node = vertex[w]!;
    const referrers = heap.referrers(node);
    for (let k = 0; k < referrers.length; k++) {
      const v = dfnum[referrers[k]!]!;
      if (v === 0) continue;
      const u = evaluate(v);
      if (semi[u]! < semi[w]!) semi[w] = semi[u]!;
    }
    const s = semi[w]!;
    bucketNext[w] = bucketHead[s]!;
    bucketHead[s] = w;
    const p = parent[w]!;
    ancestor[w] = p;
    for (let v = bucketHead[p]!; v !== -1; v = bucketNext[v]!) {
      const u = evaluate(v);
      dom[v] = semi[u]! < semi[v]! ? u : p;
    }
    bucketHead[p] = -1;
  }
  for (let w = 2; w <= count; w++) if (dom[w] !== semi[w]) dom[w] = dom[dom[w]!]!;
  for (let w = 2; w <= count; w++) idom[vertex[w]!] = vertex[dom[w]!]!;
  return idom;
}

/** Bytes that would be freed if each node went away (its dominator subtree), 0 when unreachable. */
export function retainedSizes(heap: HeapSnapshot, idom: Int32Array): Float64Array {
  const order = dominatorPreorder(heap, idom);
  const retained = new Float64Array(heap.count);
  for (let k = 0; k < order.length; k++) retained[order[k]!] = heap.shallow[order[k]!]!;
  for (let k = order.length - 1; k > 0; k--) {
    const v = order[k]!;
    retained[idom[v]!]! += retained[v]!;
  }
  return retained;
}

/** Reachable nodes in a preorder of the dominator tree (root first). */
function dominatorPreorder(heap: HeapSnapshot, idom: Int32Array): Int32Array {
  const n = heap.count;
  const childStart = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) if (idom[v]! >= 0) childStart[idom[v]! + 1]!++;
  for (let v = 0; v < n; v++) childStart[v + 1]! += childStart[v]!;
  const fill = childStart.slice(0, n);
  const children = new Int32Array(childStart[n]!);
  for (let v = 0; v < n; v++) if (idom[v]! >= 0) children[fill[idom[v]!]!++] = v;
  const order = new Int32Array(children.length + 1);
  let len = 0;
  const stack = new Int32Array(children.length + 1);
  let sp = 0;
  stack[sp++] = heap.root;
  while (sp > 0) {
    const v = stack[--sp]!;
    order[len++] = v;
    for (let c = childStart[v]!; c < childStart[v + 1]!; c++) stack[sp++] = children[c]!;
  }
  return order.subarray(0, len);
}

export interface ClassSummaryRow {
  className: string;
  /** Node index of the class object. */
  classNode: number;
  count: number;
  shallowBytes: number;
  /** Bytes retained by the set of all reachable instances (an instance under another instance counts once). */
  retainedBytes: number;
  /** Instances not reachable from the root (garbage the next collection frees). */
  unreachable: number;
  /** Node index of the instance retaining the most bytes: an address to start from. */
  largest: number;
}

/** Count, shallow and retained size per class, largest retained first. */
export function classSummary(heap: HeapSnapshot, idom = dominators(heap)): ClassSummaryRow[] {
  const retained = retainedSizes(heap, idom);
  const rows = new Map<number, ClassSummaryRow>();
  const rowOf = (cls: number): ClassSummaryRow => {
    let row = rows.get(cls);
    if (!row) {
      row = {
        className: heap.className(cls),
        classNode: cls,
        count: 0,
        shallowBytes: 0,
        retainedBytes: 0,
        unreachable: 0,
        largest: -1,
      };
      rows.set(cls, row);
    }
    return row;
  };
  for (let v = 0; v < heap.count; v++) {
    const row = rowOf(heap.classOf[v]!);
    row.count++;
    row.shallowBytes += heap.shallow[v]!;
    if (v !== heap.root && idom[v] === -1) row.unreachable++;
    if (row.largest < 0 || retained[v]! > retained[row.largest]!) row.largest = v;
  }
  // Retained per class: an instance contributes unless an ancestor in the dominator tree has its class.
  const order = dominatorPreorder(heap, idom);
  const depth = new Int32Array(heap.count);
  // Per class node: its instances on the path from the root to v (typed arrays: a million-deep list is one path).
  const onPath = new Int32Array(heap.count);
  const pathClass = new Int32Array(heap.count);
  let pathLength = 0;
  for (let k = 0; k < order.length; k++) {
    const v = order[k]!;
    depth[v] = v === heap.root ? 0 : depth[idom[v]!]! + 1;
    while (pathLength > depth[v]!) onPath[pathClass[--pathLength]!]!--;
    const cls = heap.classOf[v]!;
    if (!onPath[cls]) rowOf(cls).retainedBytes += retained[v]!;
    onPath[cls]!++;
    pathClass[pathLength++] = cls;
  }
  return [...rows.values()].sort((a, b) => b.retainedBytes - a.retainedBytes || b.count - a.count);
}

/** The shortest chain of references from the root to `target` (root first), or undefined when unreachable. */
export function pathFromRoot(heap: HeapSnapshot, target: number): number[] | undefined {
  const prev = new Int32Array(heap.count).fill(-1);
  const queue = new Int32Array(heap.count);
  let head = 0;
  let tail = 0;
  queue[tail++] = heap.root;
  prev[heap.root] = heap.root;
  while (head < tail) {
    const v = queue[head++]!;
    if (v === target) break;
    const out = heap.references(v);
    for (let k = 0; k < out.length; k++) {
      const w = out[k]!;
      if (prev[w] !== -1) continue;
      prev[w] = v;
      queue[tail++] = w;
    }
  }
  if (prev[target] === -1) return undefined;
  const path = [target];
  for (let v = target; v !== heap.root; v = prev[v]!) path.push(prev[v]!);
  return path.reverse();
}

/** Which nodes `start` reaches through references, itself included (1 = reached); none for -1. */
export function reachableFrom(heap: HeapSnapshot, start: number): Uint8Array {
  const seen = new Uint8Array(heap.count);
  if (start < 0) return seen;
  const stack = [start];
  seen[start] = 1;
  while (stack.length > 0) {
    const out = heap.references(stack.pop()!);
    for (let k = 0; k < out.length; k++) {
      const w = out[k]!;
      if (seen[w] === 0) {
        seen[w] = 1;
        stack.push(w);
      }
    }
  }
  return seen;
}

/** Instances of the class with this full name (exact; subclasses are classes of their own). */
export function instancesOf(heap: HeapSnapshot, className: string): number[] {
  const out: number[] = [];
  for (let v = 0; v < heap.count; v++) if (heap.className(heap.classOf[v]!) === className) out.push(v);
  return out;
}

/** Objects with a field of this name whose value is `value` (an integer, a string's text, or null). */
export function findByField(
  heap: HeapSnapshot,
  field: string,
  value: number | string | null,
  className?: string,
): number[] {
  const slotByClass = new Map<number, number>();
  const out: number[] = [];
  for (let v = 0; v < heap.count; v++) {
    const cls = heap.classOf[v]!;
    if (className !== undefined && heap.className(cls) !== className) continue;
    let slot = slotByClass.get(cls);
    if (slot === undefined) {
      slot = heap.fieldNames(cls).lastIndexOf(field);
      slotByClass.set(cls, slot);
    }
    if (slot < 0 || slot >= heap.slotCount(v)) continue;
    const word = heap.slot(v, slot);
    if (
      value === null
        ? word === 0
        : typeof value === 'number'
          ? word === value << 1
          : heap.stringValue(heap.target(word)) === value
    ) {
      out.push(v);
    }
  }
  return out;
}
