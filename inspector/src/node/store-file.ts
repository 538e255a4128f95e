/**
 * The inspector's offline source: a machine's store disk read from the host (raw or qcow2), its
 * kept generations, and any generation loaded as a HeapSnapshot — without booting the machine,
 * and safely beside a running one (committed generations never change). `phantom inspect --at
 * gen:N` and the studio's timeline use it.
 */
import { openStore, type Store } from '@phantom/lang/common/store/reader.js';
import { HeapSnapshot } from '../common/heap.js';
import { type DiskFile, openDiskFile } from './disk-file.js';

export interface OpenedStore {
  readonly disk: DiskFile;
  readonly store: Store;
  close(): void;
}

/** Opens the store on a disk file; throws StoreError (lang) or DiskFormatError with the reason. */
export function openStoreFile(path: string): OpenedStore {
  const disk = openDiskFile(path);
  try {
    const store = openStore((n) => disk.readBlock(n));
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
