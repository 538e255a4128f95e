/**
 * The inspector's model in the renderer: heap snapshots of the generations the user looked at
 * (loaded once each, since committed generations never change), with their dominators and class
 * summaries computed once, and the queries the views ask. Views talk only to this.
 */
import { type ClassSummaryRow, classSummary, dominators } from '../common/graph.js';
import { HeapSnapshot } from '../common/heap.js';
import { distancesFromRoot } from '../common/retainers.js';

export interface GenerationEntry {
  generation: number;
  parent: number | null;
}

export interface InspectorSource {
  /**
   * The space bytes of generation n; with none, the newest — or the running machine as it is now
   * (`live`, read after `generation` was committed).
   */
  loadSpace(generation?: number): Promise<{ generation: number; bytes: Uint8Array; live?: boolean }>;
  generations(): Promise<GenerationEntry[]>;
}

export interface LoadedGeneration {
  generation: number;
  /** The running machine now (after `generation`), not a committed generation. */
  live: boolean;
  heap: HeapSnapshot;
  idom: Int32Array;
  summary: ClassSummaryRow[];
  /** Each object's distance from the root (computed at the first call: the retainers need it). */
  distance(): Int32Array;
}

/** Generations kept in memory at once; older ones are dropped (and reloaded if asked again). */
const MAX_CACHED = 6;

export class InspectorSession {
  private readonly cache = new Map<number, Promise<LoadedGeneration>>();

  constructor(private readonly source: InspectorSource) {}

  generations(): Promise<GenerationEntry[]> {
    return this.source.generations();
  }

  /** Generation n (or the newest), loaded, indexed and summarised. */
  async load(generation?: number): Promise<LoadedGeneration> {
    if (generation !== undefined) {
      const hit = this.cache.get(generation);
      if (hit) return hit;
    }
    const { generation: g, bytes, live } = await this.source.loadSpace(generation);
    const heap = new HeapSnapshot(bytes);
    const idom = dominators(heap);
    let distance: Int32Array | undefined;
    const loaded: LoadedGeneration = {
      generation: g,
      live: live === true,
      heap,
      idom,
      summary: classSummary(heap, idom),
      distance: () => {
        distance ??= distancesFromRoot(heap);
        return distance;
      },
    };
    // Only committed generations are cached: they never change; "now" does.
    if (!loaded.live) this.cache.set(loaded.generation, Promise.resolve(loaded));
    while (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    return loaded;
  }
}
