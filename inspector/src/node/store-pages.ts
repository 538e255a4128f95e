/**
 * "When did this change?" over a machine's store disk: the current branch's kept generations,
 * and a PageReader (common/when.ts) that reads single pages of committed generations through
 * lang's store reader, caching them by generation and page and counting what it read — never the
 * live machine, so asking never stops it. Used by `phantom inspect NAME when` and the studio's
 * host.
 */
import { NO_GENERATION, PAGE_SIZE } from '@phantom/lang/common/spec/generated.js';
import { openStore } from '@phantom/lang/common/store/reader.js';
import {
  branchPath,
  type PageReader,
  type WhenAnswer,
  type WhenMode,
  type WhenTarget,
  whenChanged,
} from '../common/when.js';
import { openDiskFile } from './disk-file.js';

export interface PageCounts {
  /** Object-space pages read from the disk (each (generation, page) once). */
  pages: number;
  /** Store blocks read in all: pages, and the records and map blocks that locate them. */
  blocks: number;
}

export interface WhenOnDisk extends WhenAnswer {
  reads: PageCounts;
}

/** Answers "when did this change?" from the store on the disk at `path`, up to generation `upTo` (default: the newest that verifies). */
export function whenOnDisk(
  path: string,
  ref: number,
  target: WhenTarget,
  mode: WhenMode,
  upTo?: number,
): WhenOnDisk {
  const disk = openDiskFile(path);
  let blocks = 0;
  try {
    const store = openStore(
      (n) => {
        blocks++;
        return disk.readBlock(n);
      },
      Math.floor(disk.size / PAGE_SIZE),
    );
    // Opening reads the superblocks and the index: the search's own reads start here.
    blocks = 0;
    const generations = store.generations.map((g) => ({
      generation: g.generation,
      parent: g.parent === NO_GENERATION ? null : g.parent,
      ...(g.error ? { error: g.error } : {}),
    }));
    if (upTo !== undefined && !generations.some((g) => g.generation === upTo && !g.error))
      throw new Error(`generation ${upTo} is not kept, or does not verify`);
    const branch = branchPath(generations, upTo);
    const cache = new Map<string, Uint8Array>();
    const reader: PageReader = {
      page(generation, page) {
        const key = `${generation}:${page}`;
        let bytes = cache.get(key);
        if (!bytes) {
          bytes = store.readPage(generation, page);
          cache.set(key, bytes);
        }
        return bytes;
      },
    };
    const answer = whenChanged(reader, store.superblock.spaceSize, branch, ref, target, mode);
    return { ...answer, reads: { pages: cache.size, blocks } };
  } finally {
    disk.close();
  }
}
