/**
 * Reads a store offline and mounts it by the one rule the kernel follows ("Which generation a
 * store mounts" in docs/store-format.md): the newest usable superblock whose index verifies, the
 * index's entries sorted by number with the bad ones marked, each generation's record and map
 * blocks checked, and a mount that walks from the newest (or a requested) generation along
 * parents, never to a newer one, accepting the first whose pages verify and whose object space is
 * sound (image/check.ts). Used by `phantom generations`, `phantom inspect`, the studio's timeline
 * and the reference interpreter's loader; kernel-src/tests/store-agree.mjs checks that it chooses
 * what the kernel and phstore choose on thousands of damaged stores.
 *
 * Not here: writing (generation0.ts); the kernel's commit path.
 */
import { checkSpace } from '../image/check.js';
import * as S from '../spec/generated.js';
import {
  blockCrc,
  decodeIndex,
  decodeIndexRoot,
  decodeRecord,
  decodeSuperblock,
  type GenerationRecord,
  type IndexEntry,
  mapBlocksFor,
  StoreError,
  type Superblock,
  verifyAgainst,
} from './blocks.js';
import { crc32c } from './crc32c.js';

/** Returns the 4096 bytes of a block (zeros for the unwritten parts of a sparse file). */
export type ReadBlock = (block: number) => Uint8Array;

/** One of the two superblock slots as found on disk. */
export interface SuperblockSlot {
  readonly block: number;
  /** Its fields, when its magic, version, CRC and sequence parity verify. */
  readonly superblock?: Superblock;
  /** Why the slot is not usable (absent when it is). */
  readonly error?: string;
  /** It verifies, but names a geometry this reader (or the disk) cannot hold. */
  readonly unsupported?: boolean;
}

/** What about a generation is damaged: its index entry, record, a map block, a page, or its contents. */
export type DamageKind = 'entry' | 'record' | 'map' | 'page' | 'contents';

/** A generation the current index lists, with its record when the record verifies. */
export interface GenerationInfo extends IndexEntry {
  readonly record?: GenerationRecord;
  /** Why it can never be mounted, when a check found that (its entry, record or map blocks). */
  readonly damage?: DamageKind;
  readonly error?: string;
}

/** A generation the mount's walk visited and left behind, and why. */
export interface SkippedGeneration {
  readonly generation: number;
  readonly damage: DamageKind;
  readonly error: string;
}

/** Where the mount's walk ended: the generation chosen (none: no generation verifies), and those it left behind. */
export interface Resumption {
  readonly generation?: number;
  readonly space?: Uint8Array;
  /** Generations the walk visited before it, each damaged, in the order visited. */
  readonly skipped: readonly SkippedGeneration[];
}

/** A generation's object space, read and checked, and the generations the walk left behind. */
export interface MountedGeneration extends Resumption {
  readonly generation: number;
  readonly space: Uint8Array;
}

export const ZERO_PAGE_CRC = crc32c(new Uint8Array(S.PAGE_SIZE));

const FIRST_DATA_BLOCK = 2;

export class Store {
  /** Highest generation number ever committed: SB_NEWEST_GEN or an entry's (NO_GENERATION aside). */
  readonly newestNumber: number;
  /** Map blocks checked so far, by block, CRC and position: true, or why not. */
  private readonly checkedMaps = new Map<string, true | string>();
  /** Records readPage has read, by generation (committed records never change). */
  private readonly records = new Map<number, GenerationRecord>();
  /**
   * The position in `generations` of the first entry with each number: a store keeps up to
   * 16,384 generations, and the inspector and "when did this change?" look them up by number.
   */
  private readonly positions = new Map<number, number>();

  constructor(
    private readonly read: ReadBlock,
    /** The superblock in use. */
    readonly superblock: Superblock,
    /** Both slots, for tools that show them. */
    readonly superblocks: readonly SuperblockSlot[],
    /** Kept generations sorted by number (equal numbers in the index's order), each checked. */
    readonly generations: readonly GenerationInfo[],
    /** What was wrong but did not stop the mount (a damaged superblock slot, an older index). */
    readonly problems: readonly string[],
  ) {
    let newest = superblock.newestGeneration === S.NO_GENERATION ? 0 : superblock.newestGeneration;
    for (const g of generations)
      if (g.generation !== S.NO_GENERATION && g.generation > newest) newest = g.generation;
    this.newestNumber = newest;
    generations.forEach((g, i) => {
      if (!this.positions.has(g.generation)) this.positions.set(g.generation, i);
    });
  }

  /** The position in `generations` of the (first) kept generation numbered n, or -1. */
  private positionOf(n: number): number {
    return this.positions.get(n) ?? -1;
  }

  /** Whether the store can take a new generation: false when no number is left (the kernel then stops). */
  get canTakeGeneration(): boolean {
    return this.newestNumber < S.NO_GENERATION - 1;
  }

  /** The (first) kept generation numbered n. */
  generation(n: number): GenerationInfo | undefined {
    const position = this.positionOf(n);
    return position < 0 ? undefined : this.generations[position];
  }

  /** Reads block `n`, which must lie inside the store. */
  private block(n: number, what: string): Uint8Array {
    if (n < FIRST_DATA_BLOCK || n >= this.superblock.blockCount) {
      throw new StoreError(
        `${what}: block ${n} is outside ${FIRST_DATA_BLOCK}..${this.superblock.blockCount - 1}`,
        n,
      );
    }
    const bytes = this.read(n);
    if (bytes.length !== S.BLOCK_SIZE) {
      throw new StoreError(`${what}: block ${n} read as ${bytes.length} bytes, expected ${S.BLOCK_SIZE}`, n);
    }
    return bytes;
  }

  /** The record an entry names, checked as mount step 4.1 says; throws a StoreError naming the failure. */
  readRecord(entry: IndexEntry): GenerationRecord {
    const what = `generation ${entry.generation} record (block ${entry.recordBlock})`;
    const bytes = this.block(entry.recordBlock, what);
    const crc = blockCrc(bytes, S.GEN_CRC);
    const stored = new DataView(bytes.buffer, bytes.byteOffset).getUint32(S.GEN_CRC, true);
    if (crc !== stored || crc !== entry.recordCrc) {
      throw new StoreError(`${what}: fails its checksum (or the index's)`, entry.recordBlock);
    }
    const record = decodeRecord(bytes, what, entry.recordBlock);
    const fail = (why: string): never => {
      throw new StoreError(`${what}: ${why}`, entry.recordBlock);
    };
    if (record.number !== entry.generation) fail(`holds generation ${record.number}`);
    if (record.parent !== entry.parent) fail(`parent ${record.parent}, but the index says ${entry.parent}`);
    if (record.spaceSize !== this.superblock.spaceSize) {
      fail(`space size ${record.spaceSize}, but the superblock says ${this.superblock.spaceSize}`);
    }
    for (const m of record.mapBlocks) {
      if (m.block < FIRST_DATA_BLOCK || m.block >= this.superblock.blockCount)
        fail(`map block ${m.block} is outside the store`);
    }
    return record;
  }

  /**
   * Map block m of a record, checked as mount step 4.2 says: a view of its entries (PME_BLOCK and
   * PME_CRC of page-map entry i at 8 i). A block, CRC and position checked once is not checked
   * again: generations share the map blocks of ranges they did not change.
   */
  private readMapBlock(n: number, record: GenerationRecord, m: number): DataView {
    const ref = record.mapBlocks[m]!;
    const what = `generation ${n} map block ${m} (block ${ref.block})`;
    const bytes = this.block(ref.block, what);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const key = `${ref.block}:${ref.crc}:${m}`;
    const known = this.checkedMaps.get(key);
    if (known === true) return dv;
    if (known) throw new StoreError(`${what}: ${known}`, ref.block);
    try {
      verifyAgainst(bytes, ref.crc, what, ref.block);
      const pages = record.spaceSize / S.PAGE_SIZE;
      for (let i = 0; i < S.PME_PER_BLOCK; i++) {
        const page = m * S.PME_PER_BLOCK + i;
        const block = dv.getUint32(i * 8 + S.PME_BLOCK, true);
        const crc = dv.getUint32(i * 8 + S.PME_CRC, true);
        const bad =
          page >= pages
            ? block !== 0 || crc !== 0
            : block === S.ZERO_BLOCK
              ? crc !== ZERO_PAGE_CRC
              : block < FIRST_DATA_BLOCK || block >= this.superblock.blockCount;
        if (bad)
          throw new StoreError(`${what}: the entry of page ${page} is not a valid page-map entry`, ref.block);
      }
    } catch (err) {
      if (err instanceof StoreError) this.checkedMaps.set(key, err.message.slice(what.length + 2));
      throw err;
    }
    this.checkedMaps.set(key, true);
    return dv;
  }

  /** Every map block of a record checked; throws a StoreError naming the first bad one. */
  checkMapBlocks(n: number, record: GenerationRecord): void {
    for (let m = 0; m < record.mapBlocks.length; m++) this.readMapBlock(n, record, m);
  }

  /**
   * Every page of the generation at `position` in `generations`, each checked against its map
   * entry (record and map blocks checked again first); throws a StoreError naming the first
   * failure, with `damage` saying what failed.
   */
  private readPagesAt(position: number): Uint8Array {
    const entry = this.generations[position]!;
    const n = entry.generation;
    const record = failing('record', () => this.readRecord(entry));
    const space = new Uint8Array(record.spaceSize);
    for (let m = 0; m < record.mapBlocks.length; m++) {
      const map = failing('map', () => this.readMapBlock(n, record, m));
      for (let i = 0; i < S.PME_PER_BLOCK; i++) {
        const page = m * S.PME_PER_BLOCK + i;
        const block = map.getUint32(i * 8 + S.PME_BLOCK, true);
        if (block === S.ZERO_BLOCK || page >= space.length / S.PAGE_SIZE) continue;
        const crc = map.getUint32(i * 8 + S.PME_CRC, true);
        const where = `generation ${n} page ${page} (address 0x${(S.SPACE_BASE + page * S.PAGE_SIZE).toString(16)})`;
        const contents = failing('page', () => this.block(block, where));
        failing('page', () => verifyAgainst(contents, crc, `${where} in block ${block}`, block));
        space.set(contents, page * S.PAGE_SIZE);
      }
    }
    return space;
  }

  /**
   * One page of generation `n`'s object space (`page` counts from SPACE_BASE), checked against its
   * map entry, record and map block checked as readGenerationPages checks them: what a tool that
   * needs a few objects of many generations reads (the inspector's "when did this change?").
   * Records are read once per generation; map blocks once per block.
   */
  readPage(n: number, page: number): Uint8Array {
    let record = this.records.get(n);
    if (!record) {
      const entry = this.generation(n);
      if (!entry) throw new StoreError(`generation ${n} is not in the index`, undefined, 'not-kept');
      if (entry.damage === 'entry') throw new StoreError(entry.error!, entry.recordBlock);
      record = this.readRecord(entry);
      this.records.set(n, record);
    }
    if (!Number.isInteger(page) || page < 0 || page >= record.spaceSize / S.PAGE_SIZE)
      throw new StoreError(`generation ${n} has no page ${page}`);
    const m = Math.floor(page / S.PME_PER_BLOCK);
    const map = this.readMapBlock(n, record, m);
    const i = page % S.PME_PER_BLOCK;
    const block = map.getUint32(i * 8 + S.PME_BLOCK, true);
    if (block === S.ZERO_BLOCK) return new Uint8Array(S.PAGE_SIZE);
    const crc = map.getUint32(i * 8 + S.PME_CRC, true);
    const where = `generation ${n} page ${page} (address 0x${(S.SPACE_BASE + page * S.PAGE_SIZE).toString(16)})`;
    const contents = this.block(block, where);
    verifyAgainst(contents, crc, `${where} in block ${block}`, block);
    return contents;
  }

  /** Every page of generation `n`'s object space, checked; throws a StoreError naming the first failure. */
  readGenerationPages(n: number): Uint8Array {
    const position = this.positionOf(n);
    if (position < 0) {
      throw new StoreError(
        `generation ${n} is not in the index (kept: ${this.generations.map((g) => g.generation).join(', ') || 'none'})`,
        undefined,
        'not-kept',
      );
    }
    const g = this.generations[position]!;
    if (g.damage === 'entry') throw new StoreError(g.error!, g.recordBlock);
    return this.readPagesAt(position);
  }

  /**
   * The generation the store mounts (step 5 of the rule), as mount, and the generations left
   * behind: without a generation when none verifies (listings mark them all).
   */
  resume(want?: number): Resumption {
    const list = this.generations;
    if (want === S.NO_GENERATION)
      throw new StoreError(`${want} is no generation number: it marks "none"`, undefined, 'not-kept');
    let i = want === undefined ? list.length - 1 : this.positionOf(want);
    if (i < 0) {
      throw new StoreError(
        `generation ${want} is not in the index (kept: ${list.map((g) => g.generation).join(', ') || 'none'})`,
        undefined,
        'not-kept',
      );
    }
    const visited = new Set<number>();
    const skipped: SkippedGeneration[] = [];
    while (i >= 0) {
      visited.add(i);
      const g = list[i]!;
      let damage = g.damage;
      let error = g.error;
      if (!damage) {
        try {
          const space = this.readPagesAt(i);
          const unsound = checkSpace(space);
          if (unsound === undefined) return { generation: g.generation, space, skipped };
          damage = 'contents';
          error = `generation ${g.generation}: its object space is not sound: ${unsound}`;
        } catch (err) {
          if (!(err instanceof DamageError)) throw err;
          damage = err.damage;
          error = err.message;
        }
      }
      skipped.push({ generation: g.generation, damage, error: error! });
      i = this.fallbackFrom(i, visited);
    }
    return { skipped };
  }

  /**
   * The generation the store mounts (step 5 of the rule): from `want` (kept, or refused as
   * 'not-kept') or the newest, along parents that are older, else to the newest unvisited
   * generation before it; the first whose record, map blocks and pages verify and whose space is
   * sound. Throws a StoreError with refusal 'no-valid-generation' when there is none.
   */
  mount(want?: number): MountedGeneration {
    const resumed = this.resume(want);
    if (resumed.generation !== undefined && resumed.space)
      return { ...resumed, generation: resumed.generation, space: resumed.space };
    const why = resumed.skipped.map((s) => s.error).join('; ');
    throw new StoreError(`no generation verifies${why ? `: ${why}` : ''}`, undefined, 'no-valid-generation');
  }

  /** After the generation at i failed: its parent when older, kept and unvisited; else the newest unvisited before it. */
  private fallbackFrom(i: number, visited: Set<number>): number {
    const g = this.generations[i]!;
    if (g.parent < g.generation) {
      const p = this.positionOf(g.parent);
      if (p >= 0 && !visited.has(p)) return p;
    }
    for (let j = i - 1; j >= 0; j--) if (!visited.has(j)) return j;
    return -1;
  }
}

/** A StoreError that says which part of a generation failed. */
class DamageError extends StoreError {
  constructor(
    readonly damage: DamageKind,
    cause: StoreError,
  ) {
    super(cause.message, cause.block);
  }
}

function failing<T>(damage: DamageKind, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof StoreError && !(err instanceof DamageError)) throw new DamageError(damage, err);
    throw err;
  }
}

/** Why an index entry is unusable by itself (step 3 of the rule), or undefined. */
function entryDamage(sorted: readonly IndexEntry[], i: number, blockCount: number): string | undefined {
  const e = sorted[i]!;
  const what = `generation ${e.generation === S.NO_GENERATION ? '(none)' : e.generation}`;
  if (e.generation === S.NO_GENERATION) return `${what}: its index entry has no generation number`;
  if (sorted[i - 1]?.generation === e.generation || sorted[i + 1]?.generation === e.generation)
    return `${what}: its number is listed more than once in the index`;
  if (e.parent !== S.NO_GENERATION && e.parent >= e.generation)
    return `${what}: its parent ${e.parent} is not older than it`;
  if (e.recordBlock < FIRST_DATA_BLOCK || e.recordBlock >= blockCount)
    return `${what}: its record block ${e.recordBlock} is outside the store`;
  return undefined;
}

/** Why a superblock that verifies cannot be used on a disk of `diskBlocks` blocks, or undefined. */
function unusable(sb: Superblock, diskBlocks: number): string | undefined {
  if (sb.blockSize !== S.BLOCK_SIZE) return `block size ${sb.blockSize}, expected ${S.BLOCK_SIZE}`;
  if (sb.spaceBase !== S.SPACE_BASE)
    return `space base 0x${sb.spaceBase.toString(16)}, expected 0x${S.SPACE_BASE.toString(16)}`;
  if (sb.spaceSize % S.PAGE_SIZE !== 0 || sb.spaceSize < S.SPACE_SIZE_MIN || sb.spaceSize > S.SPACE_SIZE_MAX)
    return `object-space size ${sb.spaceSize} is not a multiple of ${S.PAGE_SIZE} in ${S.SPACE_SIZE_MIN}..${S.SPACE_SIZE_MAX}`;
  if (sb.blockCount > diskBlocks)
    return `the store has ${sb.blockCount} blocks, the disk only ${diskBlocks} (cut short?)`;
  if (sb.blockCount < FIRST_DATA_BLOCK + 2 + mapBlocksFor(sb.spaceSize))
    return `${sb.blockCount} blocks cannot hold a store`;
  if (sb.indexBlock < FIRST_DATA_BLOCK || sb.indexBlock >= sb.blockCount)
    return `index block ${sb.indexBlock} is outside ${FIRST_DATA_BLOCK}..${sb.blockCount - 1}`;
  return undefined;
}

function readSlot(
  read: ReadBlock,
  block: number,
  diskBlocks: number,
): SuperblockSlot & { unreadable?: boolean } {
  const name = `superblock ${block === S.SB_BLOCK_A ? 'A' : 'B'} (block ${block})`;
  if (block >= diskBlocks)
    return { block, error: `${name}: cannot be read (the disk has ${diskBlocks} blocks)`, unreadable: true };
  const bytes = read(block);
  if (bytes.every((b) => b === 0)) return { block, error: `${name}: empty` };
  let superblock: Superblock;
  try {
    superblock = decodeSuperblock(bytes, name, block);
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    return { block, error: err.message };
  }
  if (superblock.sequence % 2n !== BigInt(block))
    return { block, error: `${name}: sequence ${superblock.sequence} does not belong in this slot` };
  const why = unusable(superblock, diskBlocks);
  return why ? { block, superblock, unsupported: true, error: `${name}: ${why}` } : { block, superblock };
}

/** Generations of an index, sorted by number and checked (steps 3, 4.1 and 4.2 of the rule). */
function checkGenerations(
  store: Store,
  entries: readonly IndexEntry[],
  blockCount: number,
): GenerationInfo[] {
  const sorted = entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.generation - b.e.generation || a.i - b.i)
    .map(({ e }) => e);
  return sorted.map((e, i): GenerationInfo => {
    const entryError = entryDamage(sorted, i, blockCount);
    if (entryError) return { ...e, damage: 'entry', error: entryError };
    let record: GenerationRecord;
    try {
      record = store.readRecord(e);
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      return { ...e, damage: 'record', error: err.message };
    }
    try {
      store.checkMapBlocks(e.generation, record);
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      return { ...e, record, damage: 'map', error: err.message };
    }
    return { ...e, record };
  });
}

/**
 * The entries of the index a superblock names (its block already read and checked against
 * SB_INDEX_CRC): an index root's leaves in order, each checked against the CRC and count the
 * root gives it, or the block itself when it is a leaf (a one-leaf index, as every store written
 * before index roots has).
 */
function readIndex(read: ReadBlock, bytes: Uint8Array, sb: Superblock, where: string): IndexEntry[] {
  if (new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) !== S.IR_MAGIC)
    return decodeIndex(bytes, where, sb.indexBlock);
  const root = decodeIndexRoot(bytes, `${where}, its root`, sb.indexBlock, sb.blockCount);
  const entries: IndexEntry[] = [];
  root.leaves.forEach((leaf, i) => {
    const at = `${where}, leaf ${i} (block ${leaf.block})`;
    const leafBytes = read(leaf.block);
    if (blockCrc(leafBytes, S.IX_CRC) !== leaf.crc)
      throw new StoreError(`${at}: its checksum is not the one its root holds`, leaf.block);
    const listed = decodeIndex(leafBytes, at, leaf.block);
    if (listed.length !== leaf.count)
      throw new StoreError(`${at}: lists ${listed.length} entries, its root says ${leaf.count}`, leaf.block);
    entries.push(...listed);
  });
  return entries;
}

/**
 * Reads both superblocks and the index of a disk `diskBlocks` blocks long (whole blocks; the
 * kernel sees no more), as mount steps 1 to 4.2 say. Throws a StoreError whose refusal is
 * 'unsupported', 'unreadable' or 'no-store' when no slot has a valid index.
 */
export function openStore(read: ReadBlock, diskBlocks: number): Store {
  const slots = [S.SB_BLOCK_A, S.SB_BLOCK_B].map((block) => readSlot(read, block, diskBlocks));
  const problems: string[] = [];
  const unreadable = slots.some((s) => s.unreadable);
  const usable = slots
    .filter(
      (s): s is SuperblockSlot & { superblock: Superblock } => s.superblock !== undefined && !s.unsupported,
    )
    .sort((a, b) => (b.superblock.sequence > a.superblock.sequence ? 1 : -1));
  const shown = slots.map(({ unreadable: _, ...slot }) => slot);
  for (const slot of usable) {
    const sb = slot.superblock;
    const where = `index (block ${sb.indexBlock}) of superblock sequence ${sb.sequence}`;
    try {
      const bytes = read(sb.indexBlock);
      if (blockCrc(bytes, S.IX_CRC) !== sb.indexCrc) {
        throw new StoreError(`${where}: its checksum is not the one its superblock holds`, sb.indexBlock);
      }
      const entries = readIndex(read, bytes, sb, where);
      const probe = new Store(read, sb, shown, [], []);
      const generations = checkGenerations(probe, entries, sb.blockCount);
      for (const s of shown) if (s.error && !s.error.endsWith(': empty')) problems.push(s.error);
      return new Store(read, sb, shown, generations, problems);
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      problems.push(err.message);
    }
  }
  const reasons = [...shown.flatMap((s) => (s.error ? [s.error] : [])), ...problems];
  const refusal = slots.some((s) => s.unsupported) ? 'unsupported' : unreadable ? 'unreadable' : 'no-store';
  throw new StoreError(`no usable superblock: ${reasons.join('; ')}`, undefined, refusal);
}
