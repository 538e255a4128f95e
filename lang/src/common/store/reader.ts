/**
 * Reads a store offline, the way the kernel mounts it (store-format.md "Mount"): picks the valid
 * superblock with the highest sequence whose index verifies, lists the kept generations with
 * their parents and records, and reads a generation's object space page by page, verifying every
 * record, map block and page against the checksum its parent holds. Used by the reference
 * interpreter's loader and the inspector's offline reader.
 *
 * Not here: writing (generation0.ts); the kernel's commit path.
 */
import * as S from '../spec/generated.js';
import {
  type BlockRef,
  decodeIndex,
  decodeMapBlock,
  decodeRecord,
  decodeSuperblock,
  type GenerationRecord,
  type IndexEntry,
  StoreError,
  type Superblock,
  verifyAgainst,
  verifyOwnCrcAgainst,
} from './blocks.js';
import { crc32c } from './crc32c.js';

/** Returns the 4096 bytes of a block (zeros past the end of a sparse or short file). */
export type ReadBlock = (block: number) => Uint8Array;

/** One of the two superblock slots as found on disk. */
export interface SuperblockSlot {
  readonly block: number;
  readonly superblock?: Superblock;
  /** Why the slot is not usable (absent when it verified). */
  readonly error?: string;
}

/** A generation the current index lists, with its record when the record verifies. */
export interface GenerationInfo extends IndexEntry {
  readonly record?: GenerationRecord;
  readonly error?: string;
}

/** A generation's object space, read and verified, and the newer ones that failed. */
export interface MountedGeneration {
  readonly generation: number;
  readonly space: Uint8Array;
  /** Generations newer than `generation` (or the one asked for) that failed, and why, newest first. */
  readonly skipped: readonly { readonly generation: number; readonly error: string }[];
}

export const ZERO_PAGE_CRC = crc32c(new Uint8Array(S.PAGE_SIZE));

export class Store {
  constructor(
    private readonly read: ReadBlock,
    /** The superblock in use. */
    readonly superblock: Superblock,
    /** Both slots, for tools that show them. */
    readonly superblocks: readonly SuperblockSlot[],
    /** Kept generations, oldest first, as the index lists them. */
    readonly generations: readonly GenerationInfo[],
    /** What was wrong but did not stop the mount (a damaged superblock slot, an older index). */
    readonly problems: readonly string[],
  ) {}

  generation(n: number): GenerationInfo | undefined {
    return this.generations.find((g) => g.generation === n);
  }

  /** Reads block `n`, checking it exists on this store and is a whole block. */
  private block(n: number, what: string): Uint8Array {
    if (n < 2 || n >= this.superblock.blockCount) {
      throw new StoreError(`${what}: block ${n} is outside 2..${this.superblock.blockCount - 1}`, n);
    }
    const bytes = this.read(n);
    if (bytes.length !== S.BLOCK_SIZE) {
      throw new StoreError(`${what}: block ${n} read as ${bytes.length} bytes, expected ${S.BLOCK_SIZE}`, n);
    }
    return bytes;
  }

  /** The record of generation `n`, verified against its index entry. */
  readRecord(entry: IndexEntry): GenerationRecord {
    const what = `generation ${entry.generation} record`;
    const bytes = this.block(entry.recordBlock, what);
    const record = decodeRecord(bytes, `${what} (block ${entry.recordBlock})`, entry.recordBlock);
    if (record.number !== entry.generation) {
      throw new StoreError(
        `${what} (block ${entry.recordBlock}): holds generation ${record.number}`,
        entry.recordBlock,
      );
    }
    verifyOwnCrcAgainst(
      bytes,
      S.GEN_CRC,
      entry.recordCrc,
      `${what} (block ${entry.recordBlock}) against the index`,
      entry.recordBlock,
    );
    if (record.parent !== entry.parent) {
      throw new StoreError(
        `${what}: parent ${record.parent}, but the index says ${entry.parent}`,
        entry.recordBlock,
      );
    }
    if (record.spaceSize !== this.superblock.spaceSize) {
      throw new StoreError(
        `${what}: space size ${record.spaceSize}, but the superblock says ${this.superblock.spaceSize}`,
        entry.recordBlock,
      );
    }
    return record;
  }

  /** Every page of generation `n`'s object space, verified; throws a StoreError naming the first failure. */
  readGenerationPages(n: number): Uint8Array {
    const entry = this.generation(n);
    if (!entry) {
      throw new StoreError(
        `generation ${n} is not in the index (kept: ${this.generations.map((g) => g.generation).join(', ') || 'none'})`,
      );
    }
    const record = this.readRecord(entry);
    const pages = record.spaceSize / S.PAGE_SIZE;
    const space = new Uint8Array(record.spaceSize);
    record.mapBlocks.forEach((ref: BlockRef, m) => {
      const what = `generation ${n} map block ${m}`;
      const bytes = this.block(ref.block, what);
      verifyAgainst(bytes, ref.crc, `${what} (block ${ref.block})`, ref.block);
      decodeMapBlock(bytes, what, ref.block).forEach((pme, i) => {
        const page = m * S.PME_PER_BLOCK + i;
        const where = `generation ${n} page ${page} (address 0x${(S.SPACE_BASE + page * S.PAGE_SIZE).toString(16)})`;
        if (page >= pages) {
          if (pme.block !== 0 || pme.crc !== 0) {
            throw new StoreError(`${where}: map entry past the end of the space is not zero`, ref.block);
          }
          return;
        }
        if (pme.block === S.ZERO_BLOCK) {
          if (pme.crc !== ZERO_PAGE_CRC) {
            throw new StoreError(`${where}: zero page with checksum 0x${pme.crc.toString(16)}`, ref.block);
          }
          return;
        }
        const contents = this.block(pme.block, where);
        verifyAgainst(contents, pme.crc, `${where} in block ${pme.block}`, pme.block);
        space.set(contents, page * S.PAGE_SIZE);
      });
    });
    return space;
  }

  /**
   * The newest generation at or below `want` (by number; every kept one when absent) that
   * verifies, falling back to older ones as the kernel does; throws when none does.
   */
  mount(want?: number): MountedGeneration {
    const candidates = this.generations
      .filter((g) => want === undefined || g.generation <= want)
      .sort((a, b) => b.generation - a.generation);
    const skipped: { generation: number; error: string }[] = [];
    for (const g of candidates) {
      try {
        return { generation: g.generation, space: this.readGenerationPages(g.generation), skipped };
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        skipped.push({ generation: g.generation, error: err.message });
      }
    }
    const why = skipped.map((s) => s.error).join('; ');
    throw new StoreError(
      `no generation${want === undefined ? '' : ` <= ${want}`} verifies${why ? `: ${why}` : ''}`,
    );
  }
}

/**
 * Reads both superblocks and the index; throws a StoreError when no superblock with a valid index
 * exists. `diskBlocks`, when known, is the size of the disk (or file) the store is on: a superblock
 * that claims more blocks is not usable, as the kernel refuses it (a store image cut short).
 */
export function openStore(read: ReadBlock, diskBlocks?: number): Store {
  const slots: SuperblockSlot[] = [S.SB_BLOCK_A, S.SB_BLOCK_B].map((block) => {
    const name = `superblock ${block === S.SB_BLOCK_A ? 'A' : 'B'} (block ${block})`;
    try {
      const bytes = read(block);
      if (bytes.every((b) => b === 0)) return { block, error: `${name}: empty` };
      const superblock = decodeSuperblock(bytes, name, block);
      if (diskBlocks !== undefined && superblock.blockCount > diskBlocks) {
        return {
          block,
          error: `${name}: the store has ${superblock.blockCount} blocks, the disk only ${diskBlocks} (cut short?)`,
        };
      }
      return { block, superblock };
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      return { block, error: err.message };
    }
  });
  const problems: string[] = [];
  const valid = slots
    .filter((s): s is SuperblockSlot & { superblock: Superblock } => s.superblock !== undefined)
    .sort((a, b) => b.superblock.sequence - a.superblock.sequence);
  for (const slot of valid) {
    const sb = slot.superblock;
    const where = `index (block ${sb.indexBlock}) of superblock sequence ${sb.sequence}`;
    try {
      const bytes = read(sb.indexBlock);
      verifyOwnCrcAgainst(bytes, S.IX_CRC, sb.indexCrc, `${where} against its superblock`, sb.indexBlock);
      const entries = decodeIndex(bytes, where, sb.indexBlock);
      const store = new Store(read, sb, slots, [], []);
      const generations = entries.map((e): GenerationInfo => {
        try {
          return { ...e, record: store.readRecord(e) };
        } catch (err) {
          if (!(err instanceof StoreError)) throw err;
          return { ...e, error: err.message };
        }
      });
      for (const s of slots) if (s.error && !s.error.endsWith(': empty')) problems.push(s.error);
      return new Store(read, sb, slots, generations, problems);
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      problems.push(err.message);
    }
  }
  const reasons = [...slots.flatMap((s) => (s.error ? [s.error] : [])), ...problems];
  throw new StoreError(`no usable superblock: ${reasons.join('; ')}`);
}
