/**
 * The kernel generations on a machine's store disk, read offline (no boot, no debug channel):
 * the inspector's qcow2 reader gives the blocks, lang's store reader checks them by the kernel's
 * mount rule (lang/docs/store-format.md, "Which generation a store mounts"). Each generation
 * carries the damage found in it and whether the kernel resumes from it; `formatGenerations` is
 * `phantom generations`'s text. Reading while the machine runs sees the generations committed
 * so far.
 */
import { openDiskFile } from '@phantom/inspector/node/disk-file.js';
import { BLOCK_SIZE, NO_GENERATION } from '@phantom/lang/common/spec/generated.js';
import { openStore, type Resumption } from '@phantom/lang/common/store/reader.js';
import type { Generation } from '../common/api.js';
import { VmError } from '../common/errors.js';

export interface StoreGenerations {
  /** Every generation the store's index lists, by number (equal numbers as the index has them). */
  generations: Generation[];
  /** The highest generation number committed: it moves with every commit. */
  newest: number | null;
  /** The generation the kernel resumes from at its next boot (null: none verifies, or a listing that did not look). */
  resumes: number | null;
  /** What is wrong beyond single generations: a superblock or an index not used, no generation number left. */
  problems: string[];
}

/**
 * How much to read: the listing (superblocks, index, records, page-map blocks: cheap, for polls),
 * or also the mount's walk (pages and contents of the generations it visits), which finds the
 * generation the kernel resumes from and the damage on the way to it.
 */
export type GenerationsDepth = 'listing' | 'resume';

export function readGenerations(diskPath: string, depth: GenerationsDepth = 'resume'): StoreGenerations {
  let disk: ReturnType<typeof openDiskFile>;
  try {
    disk = openDiskFile(diskPath);
  } catch (err) {
    throw new VmError('disk-problem', `cannot read the store disk ${diskPath}: ${(err as Error).message}`);
  }
  try {
    const store = openStore((block) => disk.readBlock(block), Math.floor(disk.size / BLOCK_SIZE));
    const walk: Resumption = depth === 'resume' ? store.resume() : { skipped: [] };
    const found = new Map(walk.skipped.map((s) => [s.generation, s]));
    const problems = [...store.problems];
    if (!store.canTakeGeneration)
      problems.push(
        `no generation number is left: the machine stops rather than run without persistence (newest ${store.newestNumber})`,
      );
    if (depth === 'resume' && walk.generation === undefined)
      problems.push('no generation verifies: the machine cannot boot');
    return {
      generations: store.generations.map((g) => {
        const skipped = found.get(g.generation);
        const kind = g.damage ?? skipped?.damage;
        return {
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
          damage: kind ? { kind, reason: (g.damage ? g.error : skipped?.error) ?? '' } : null,
          resumes: !g.damage && g.generation === walk.generation,
        };
      }),
      newest: store.newestNumber,
      resumes: walk.generation ?? null,
      problems,
    };
  } catch (err) {
    throw new VmError('disk-problem', `no readable store on ${diskPath}: ${(err as Error).message}`);
  } finally {
    disk.close();
  }
}

/** `phantom generations`'s lines: one per generation, damage and the resumed one marked, then the store's problems. */
export function formatGenerations(store: StoreGenerations): string[] {
  const lines = store.generations.map((g) => {
    const mark = g.damage ? `  damaged: ${g.damage.reason}` : g.resumes ? '  <- resumes here' : '';
    return `gen ${String(g.number).padEnd(6)} parent ${String(g.parent ?? '-').padEnd(6)} ${g.committedAt ?? ''}${mark}`;
  });
  return [...lines, ...store.problems.map((p) => `store: ${p}`)];
}
