/**
 * What the garbage collector did, read from the generations themselves: how much of each is
 * garbage (objects the root no longer reaches, which the next collection frees), what was freed
 * between a generation and an ancestor (objects are never moved or freed but by the collector, so
 * an object gone is an object collected), how much the machine allocates per generation, and from
 * that how often the kernel's collector runs. The collector view (browser/collector-view.ts)
 * draws these; nothing here asks the machine anything.
 *
 * Why a counter's strings pile up: the kernel collects only once it has allocated
 * max(GC_BUDGET_MIN, live bytes) since its last collection (kernel-src/core/gc.c), so that
 * the heap stays near twice its live data instead of being swept for every few objects. A
 * program that leaves 36 bytes of garbage a tick, ten ticks a second, is collected about every
 * three hours.
 */
import { GC_BUDGET_MIN } from '@phantom/lang/common/spec/generated.js';
import type { HeapSnapshot } from './heap.js';

/**
 * Bytes allocated after a collection before the next one runs, at least: the VM model's
 * GC_BUDGET_MIN (lang/spec/layout.def), which both VMs follow.
 */
export const KERNEL_COLLECT_BUDGET_MIN = GC_BUDGET_MIN;

/** One generation's memory: everything in its space, and the part that is garbage. */
export interface MemorySample {
  generation: number;
  objects: number;
  bytes: number;
  garbageObjects: number;
  garbageBytes: number;
}

/** `idom` from graph.dominators: -1 for the root and for what the root does not reach. */
export function memorySample(generation: number, heap: HeapSnapshot, idom: Int32Array): MemorySample {
  let bytes = 0;
  let garbageObjects = 0;
  let garbageBytes = 0;
  for (let v = 0; v < heap.count; v++) {
    bytes += heap.shallow[v]!;
    if (v !== heap.root && idom[v] === -1) {
      garbageObjects++;
      garbageBytes += heap.shallow[v]!;
    }
  }
  return { generation, objects: heap.count, bytes, garbageObjects, garbageBytes };
}

/** What went between two generations of a branch. */
export interface Freed {
  objects: number;
  bytes: number;
  /** Of the older generation's garbage: how much there was, and how much of it is gone. */
  garbageBefore: number;
  garbageFreed: number;
}

/**
 * Objects of `before` that `after` no longer has: gone from their address, or replaced there by
 * an object of another class — or, for garbage, by other bytes (nothing can change garbage, so
 * an object there now with other contents is a new one in the old one's place; the allocator
 * reuses freed addresses). `idomBefore` (graph.dominators) tells the garbage apart.
 */
export function freedBetween(before: HeapSnapshot, after: HeapSnapshot, idomBefore: Int32Array): Freed {
  const freed: Freed = { objects: 0, bytes: 0, garbageBefore: 0, garbageFreed: 0 };
  let j = 0;
  // Both address lists ascend: one merge pass.
  for (let i = 0; i < before.count; i++) {
    const address = before.addr[i]!;
    const garbage = i !== before.root && idomBefore[i] === -1;
    while (j < after.count && after.addr[j]! < address) j++;
    const kept =
      j < after.count &&
      after.addr[j] === address &&
      after.className(after.classOf[j]!) === before.className(before.classOf[i]!) &&
      (!garbage || sameBytes(before.payload(i), after.payload(j)));
    if (garbage) freed.garbageBefore++;
    if (kept) continue;
    freed.objects++;
    freed.bytes += before.shallow[i]!;
    if (garbage) freed.garbageFreed++;
  }
  return freed;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * Whether the collector ran between the two generations: it frees all the garbage there is, so
 * all (COLLECTED_FRACTION, for an identical new object in a freed one's place) of the older
 * generation's garbage is gone. Other frees are the interpreter's: it frees the frames it drops
 * when its cache of them is full (kernel-src/core/interp.c, frame_drop).
 */
export function collectorRan(freed: Freed): boolean {
  return freed.garbageBefore > 0 && freed.garbageFreed >= freed.garbageBefore * COLLECTED_FRACTION;
}

/** The share of the garbage a collection leaves no trace of, at least. */
export const COLLECTED_FRACTION = 0.95;

/** What happened from one generation to a later one on the same branch. */
export interface MemoryStep {
  from: number;
  to: number;
  freedObjects: number;
  freedBytes: number;
  /** The collector ran in between (collectorRan), rather than frames being dropped. */
  collected: boolean;
  /** Bytes allocated in between: the growth, plus what was freed. */
  allocatedBytes: number;
}

export function memoryStep(before: MemorySample, after: MemorySample, freed: Freed): MemoryStep {
  return {
    from: before.generation,
    to: after.generation,
    freedObjects: freed.objects,
    freedBytes: freed.bytes,
    collected: collectorRan(freed),
    allocatedBytes: Math.max(0, after.bytes - before.bytes + freed.bytes),
  };
}

export interface CollectorForecast {
  /** Bytes allocated per generation, on average over the steps seen. */
  bytesPerGeneration: number;
  /** The least the kernel allocates between two collections: max(budget, live bytes now). */
  budgetBytes: number;
  /** Generations between two collections at that rate (Infinity when nothing is allocated). */
  generationsPerCollection: number;
}

/** How often the kernel collects at the rate the steps show; undefined before any step. */
export function collectorForecast(
  steps: readonly MemoryStep[],
  latest: MemorySample,
): CollectorForecast | undefined {
  const generations = steps.reduce((n, s) => n + (s.to - s.from), 0);
  if (generations <= 0) return undefined;
  const bytesPerGeneration = steps.reduce((n, s) => n + s.allocatedBytes, 0) / generations;
  const budgetBytes = Math.max(KERNEL_COLLECT_BUDGET_MIN, latest.bytes - latest.garbageBytes);
  return {
    bytesPerGeneration,
    budgetBytes,
    generationsPerCollection:
      bytesPerGeneration > 0 ? budgetBytes / bytesPerGeneration : Number.POSITIVE_INFINITY,
  };
}
