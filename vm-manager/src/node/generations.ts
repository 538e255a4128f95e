/**
 * The kernel generations on a machine's store disk, read offline (no boot, no debug channel):
 * the inspector's qcow2 reader gives the blocks, lang's store reader verifies the superblocks
 * and the index. Reading while the machine runs sees the generations committed so far.
 */
import { openDiskFile } from '@phantom/inspector/node/disk-file.js';
import { BLOCK_SIZE, NO_GENERATION } from '@phantom/lang/common/spec/generated.js';
import { openStore } from '@phantom/lang/common/store/reader.js';
import type { Generation } from '../common/api.js';
import { VmError } from '../common/errors.js';

export interface StoreGenerations {
  generations: Generation[];
  /** The newest committed generation, the one the kernel would resume from. */
  newest: number | null;
}

export function readGenerations(diskPath: string): StoreGenerations {
  let disk: ReturnType<typeof openDiskFile>;
  try {
    disk = openDiskFile(diskPath);
  } catch (err) {
    throw new VmError('disk-problem', `cannot read the store disk ${diskPath}: ${(err as Error).message}`);
  }
  try {
    const store = openStore((block) => disk.readBlock(block), Math.floor(disk.size / BLOCK_SIZE));
    return {
      generations: store.generations.map((g) => ({
        number: g.generation,
        parent: g.parent === NO_GENERATION ? null : g.parent,
        committedAt: g.record?.wallSeconds ? new Date(g.record.wallSeconds * 1000).toISOString() : null,
        stats: g.record
          ? {
              machineMs: g.record.uptimeMs,
              pauseUs: g.record.pauseUs,
              pagesCopiedOnWrite: g.record.pagesCow,
              pagesWritten: g.record.pagesWritten,
              bytesWritten: g.record.bytesWritten,
              writeUs: g.record.writeUs,
              commitUs: g.record.commitUs,
            }
          : null,
      })),
      newest: store.superblock.newestGeneration,
    };
  } catch (err) {
    throw new VmError('disk-problem', `no readable store on ${diskPath}: ${(err as Error).message}`);
  } finally {
    disk.close();
  }
}
