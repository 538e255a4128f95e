/**
 * The inspector's offline source: a machine's store disk read from the host (raw or qcow2), its
 * kept generations, and any generation loaded as a HeapSnapshot — without booting the machine,
 * and safely beside a running one (committed generations never change). `phantom inspect --at
 * gen:N` and the studio's timeline use it.
 */
import { BLOCK_SIZE, NO_GENERATION } from '@phantom/lang/common/spec/generated.js';
import { openStore, type Store } from '@phantom/lang/common/store/reader.js';
import { HeapSnapshot } from '../common/heap.js';
import { type DiskFile, openDiskFile } from './disk-file.js';
import type { GenerationSummary, InspectSource } from './inspect-command.js';
import { whenOnDisk } from './store-pages.js';

export interface OpenedStore {
  readonly disk: DiskFile;
  readonly store: Store;
  close(): void;
}

/** Opens the store on a disk file; throws StoreError (lang) or DiskFormatError with the reason. */
export function openStoreFile(path: string): OpenedStore {
  const disk = openDiskFile(path);
  try {
    const store = openStore((n) => disk.readBlock(n), Math.floor(disk.size / BLOCK_SIZE));
    return { disk, store, close: () => disk.close() };
  } catch (err) {
    disk.close();
    throw err;
  }
}

/**
 * Generation `n` exactly (it must verify), or by default the newest that verifies — as the kernel
 * would mount it — as a heap snapshot.
 */
export function loadGeneration(opened: OpenedStore, n?: number): { generation: number; heap: HeapSnapshot } {
  if (n !== undefined) return { generation: n, heap: new HeapSnapshot(opened.store.readGenerationPages(n)) };
  const mounted = opened.store.mount();
  return { generation: mounted.generation, heap: new HeapSnapshot(mounted.space) };
}

/**
 * Whole object spaces of committed generations read from a disk file, the last one kept: a "now"
 * (live-source.ts, nowHeap) asks for the same generation until the machine commits the next.
 */
export function committedSpaces(path: string): (generation: number) => Uint8Array {
  let last: { generation: number; space: Uint8Array } | undefined;
  return (generation) => {
    if (last?.generation !== generation) {
      const opened = openStoreFile(path);
      try {
        last = { generation, space: opened.store.readGenerationPages(generation) };
      } finally {
        opened.close();
      }
    }
    return last.space;
  };
}

/**
 * An InspectSource over a store disk file. Each call opens the file afresh, so generations the
 * running machine commits meanwhile are seen; loaded generations are cached (they never change).
 */
export function storeSource(path: string): InspectSource {
  const cache = new Map<number, HeapSnapshot>();
  const withStore = <T>(fn: (opened: OpenedStore) => T): T => {
    const opened = openStoreFile(path);
    try {
      return fn(opened);
    } finally {
      opened.close();
    }
  };
  return {
    generations: async () =>
      withStore(({ store }) =>
        store.generations.map((g) => {
          const summary: GenerationSummary = {
            generation: g.generation,
            parent: g.parent === NO_GENERATION ? null : g.parent,
          };
          if (g.record) {
            summary.wallSeconds = g.record.wallSeconds;
            summary.machineMs = g.record.uptimeMs;
          }
          if (g.error) summary.error = g.error;
          return summary;
        }),
      ),
    load: async (n) => {
      const hit = n === undefined ? undefined : cache.get(n);
      if (hit) return { generation: n!, heap: hit };
      const loaded = withStore((opened) => loadGeneration(opened, n));
      cache.set(loaded.generation, loaded.heap);
      return loaded;
    },
    when: async (ref, target, mode, upTo) => whenOnDisk(path, ref, target, mode, upTo),
  };
}
