/**
 * Encoding, decoding and verification of the store's metadata blocks — superblock, generation
 * index, generation record, page-map block — exactly as spec/store.def lays them out. Decoders
 * check magic, version, checksum and every count against its bound, and throw a StoreError that
 * names the block and what failed; they never return a half-valid block.
 *
 * Not here: which blocks to read (reader.ts) or where to put them (generation0.ts).
 */
import * as S from '../spec/generated.js';
import { crc32cUpdate } from './crc32c.js';

/**
 * Why a store cannot be mounted at all, or no generation of it: the kernel's refusals (store.h's
 * STORE_EUNSUPPORTED, STORE_EIO, STORE_ENOSTORE, STORE_ENOGEN, STORE_ENOVALID).
 */
export type StoreRefusal = 'unsupported' | 'unreadable' | 'no-store' | 'not-kept' | 'no-valid-generation';

/**
 * A store block or page failed to verify; `block` is the disk block it came from, when known,
 * and `refusal` what it means for the whole store, when it is a mount's answer.
 */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly block?: number,
    readonly refusal?: StoreRefusal,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface Superblock {
  readonly version: number;
  /** Commit sequence (64 bits, so a bigint); the valid superblock with the higher one is current. */
  readonly sequence: bigint;
  readonly blockSize: number;
  readonly blockCount: number;
  readonly spaceBase: number;
  readonly spaceSize: number;
  readonly indexBlock: number;
  readonly indexCrc: number;
  readonly newestGeneration: number;
  readonly flags: number;
}

export interface IndexEntry {
  readonly generation: number;
  readonly recordBlock: number;
  readonly recordCrc: number;
  /** NO_GENERATION for generation 0. */
  readonly parent: number;
}

/** Where a block lives and the CRC-32C its contents must have (a map block, or a page). */
export interface BlockRef {
  readonly block: number;
  readonly crc: number;
}

export interface GenerationRecord {
  readonly version: number;
  readonly number: number;
  readonly parent: number;
  readonly wallSeconds: number;
  readonly uptimeMs: number;
  readonly pauseUs: number;
  readonly pagesCow: number;
  readonly pagesWritten: number;
  readonly bytesWritten: number;
  readonly writeUs: number;
  readonly commitUs: number;
  readonly spaceSize: number;
  /** One entry per page-map block, GEN_MAP_BLOCKS of them. */
  readonly mapBlocks: readonly BlockRef[];
}

const ZERO_WORD = new Uint8Array(4);
const TWO_32 = 0x1_0000_0000;

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** CRC-32C of a block computed as if the 4-byte field at `crcOffset` were zero. */
export function blockCrc(bytes: Uint8Array, crcOffset: number): number {
  let c = crc32cUpdate(0, bytes, 0, crcOffset);
  c = crc32cUpdate(c, ZERO_WORD);
  return crc32cUpdate(c, bytes, crcOffset + 4);
}

/** Number of page-map blocks a space of `spaceSize` bytes needs. */
export function mapBlocksFor(spaceSize: number): number {
  return Math.ceil(spaceSize / S.PAGE_SIZE / S.PME_PER_BLOCK);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function newBlock(): [Uint8Array, DataView] {
  const bytes = new Uint8Array(S.BLOCK_SIZE);
  return [bytes, view(bytes)];
}

function sealBlock(bytes: Uint8Array, dv: DataView, crcOffset: number): Uint8Array {
  dv.setUint32(crcOffset, blockCrc(bytes, crcOffset), true);
  return bytes;
}

/** Checks length, magic, version and own CRC shared by every self-describing block; returns its view. */
function openBlock(
  bytes: Uint8Array,
  where: string,
  block: number | undefined,
  magic: number,
  magicOffset: number,
  versionOffset: number,
  crcOffset: number,
): DataView {
  const fail = (why: string): never => {
    throw new StoreError(`${where}: ${why}`, block);
  };
  if (bytes.length !== S.BLOCK_SIZE) fail(`is ${bytes.length} bytes, expected ${S.BLOCK_SIZE}`);
  const dv = view(bytes);
  const found = dv.getUint32(magicOffset, true);
  if (found !== magic) fail(`bad magic ${hex(found)} (expected ${hex(magic)})`);
  const version = dv.getUint32(versionOffset, true);
  if (version !== S.FORMAT_VERSION) fail(`format version ${version}, this reader knows ${S.FORMAT_VERSION}`);
  const stored = dv.getUint32(crcOffset, true);
  const actual = blockCrc(bytes, crcOffset);
  if (stored !== actual) fail(`checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)})`);
  return dv;
}

function checkSpaceSize(spaceSize: number, where: string, block: number | undefined): void {
  if (spaceSize % S.PAGE_SIZE !== 0 || spaceSize < S.SPACE_SIZE_MIN || spaceSize > S.SPACE_SIZE_MAX) {
    throw new StoreError(
      `${where}: object-space size ${spaceSize} is not a multiple of ${S.PAGE_SIZE} in ${S.SPACE_SIZE_MIN}..${S.SPACE_SIZE_MAX}`,
      block,
    );
  }
}

export function encodeSuperblock(sb: Omit<Superblock, 'version'>): Uint8Array {
  const [bytes, dv] = newBlock();
  dv.setUint32(S.SB_MAGIC_F, S.SB_MAGIC, true);
  dv.setUint32(S.SB_VERSION, S.FORMAT_VERSION, true);
  dv.setBigUint64(S.SB_SEQ_LO, sb.sequence, true);
  dv.setUint32(S.SB_BLOCK_SIZE, sb.blockSize, true);
  dv.setUint32(S.SB_BLOCK_COUNT, sb.blockCount, true);
  dv.setUint32(S.SB_SPACE_BASE, sb.spaceBase, true);
  dv.setUint32(S.SB_SPACE_SIZE, sb.spaceSize, true);
  dv.setUint32(S.SB_INDEX_BLOCK, sb.indexBlock, true);
  dv.setUint32(S.SB_INDEX_CRC, sb.indexCrc, true);
  dv.setUint32(S.SB_NEWEST_GEN, sb.newestGeneration, true);
  dv.setUint32(S.SB_FLAGS, sb.flags, true);
  return sealBlock(bytes, dv, S.SB_CRC);
}

/**
 * A superblock whose magic, version and checksum verify, as it is; whether its geometry is usable
 * (and its sequence belongs in its slot) is the reader's question (reader.ts).
 */
export function decodeSuperblock(bytes: Uint8Array, where: string, block?: number): Superblock {
  const dv = openBlock(bytes, where, block, S.SB_MAGIC, S.SB_MAGIC_F, S.SB_VERSION, S.SB_CRC);
  const u32 = (off: number) => dv.getUint32(off, true);
  return {
    version: u32(S.SB_VERSION),
    sequence: dv.getBigUint64(S.SB_SEQ_LO, true),
    blockSize: u32(S.SB_BLOCK_SIZE),
    blockCount: u32(S.SB_BLOCK_COUNT),
    spaceBase: u32(S.SB_SPACE_BASE),
    spaceSize: u32(S.SB_SPACE_SIZE),
    indexBlock: u32(S.SB_INDEX_BLOCK),
    indexCrc: u32(S.SB_INDEX_CRC),
    newestGeneration: u32(S.SB_NEWEST_GEN),
    flags: u32(S.SB_FLAGS),
  };
}

/** A leaf an index root lists (IRE_*). */
export interface IndexLeafRef {
  block: number;
  crc: number;
  count: number;
}

/** An index root naming `leaves`, which list `total` entries in all. */
export function encodeIndexRoot(leaves: readonly IndexLeafRef[], total: number): Uint8Array {
  if (leaves.length === 0 || leaves.length > S.IR_MAX_LEAVES) {
    throw new StoreError(`index root: ${leaves.length} leaves, an index root lists 1..${S.IR_MAX_LEAVES}`);
  }
  const [bytes, dv] = newBlock();
  dv.setUint32(S.IR_MAGIC_F, S.IR_MAGIC, true);
  dv.setUint32(S.IR_VERSION, S.FORMAT_VERSION, true);
  dv.setUint32(S.IR_COUNT, leaves.length, true);
  dv.setUint32(S.IR_TOTAL, total, true);
  leaves.forEach((l, i) => {
    const at = S.IR_LEAVES + 16 * i;
    dv.setUint32(at + S.IRE_BLOCK, l.block, true);
    dv.setUint32(at + S.IRE_CRC, l.crc, true);
    dv.setUint32(at + S.IRE_COUNT, l.count, true);
  });
  return sealBlock(bytes, dv, S.IR_CRC);
}

/**
 * An index root's leaves, checked as mount step 2 says: 1..IR_MAX_LEAVES leaves, each inside
 * 2..blockCount − 1, none the root itself and none listed twice (so reading them can neither
 * loop nor grow without bound), counts 1..IX_MAX_ENTRIES adding up to IR_TOTAL, which is
 * 1..IX_MAX_GENERATIONS.
 */
export function decodeIndexRoot(
  bytes: Uint8Array,
  where: string,
  block: number,
  blockCount: number,
): { leaves: IndexLeafRef[]; total: number } {
  const dv = openBlock(bytes, where, block, S.IR_MAGIC, S.IR_MAGIC_F, S.IR_VERSION, S.IR_CRC);
  const count = dv.getUint32(S.IR_COUNT, true);
  const total = dv.getUint32(S.IR_TOTAL, true);
  if (count === 0 || count > S.IR_MAX_LEAVES)
    throw new StoreError(`${where}: ${count} leaves, an index root lists 1..${S.IR_MAX_LEAVES}`, block);
  if (total === 0 || total > S.IX_MAX_GENERATIONS)
    throw new StoreError(`${where}: ${total} generations, an index lists 1..${S.IX_MAX_GENERATIONS}`, block);
  const leaves: IndexLeafRef[] = [];
  const seen = new Set<number>();
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const at = S.IR_LEAVES + 16 * i;
    const leaf = {
      block: dv.getUint32(at + S.IRE_BLOCK, true),
      crc: dv.getUint32(at + S.IRE_CRC, true),
      count: dv.getUint32(at + S.IRE_COUNT, true),
    };
    if (leaf.block < 2 || leaf.block >= blockCount || leaf.block === block)
      throw new StoreError(
        `${where}: leaf ${i} is block ${leaf.block}, outside 2..${blockCount - 1} or the root`,
        block,
      );
    if (seen.has(leaf.block))
      throw new StoreError(`${where}: leaf block ${leaf.block} is listed twice`, block);
    if (leaf.count === 0 || leaf.count > S.IX_MAX_ENTRIES)
      throw new StoreError(
        `${where}: leaf ${i} has ${leaf.count} entries, a leaf lists 1..${S.IX_MAX_ENTRIES}`,
        block,
      );
    seen.add(leaf.block);
    sum += leaf.count;
    leaves.push(leaf);
  }
  if (sum !== total)
    throw new StoreError(`${where}: its leaves list ${sum} generations, its total says ${total}`, block);
  return { leaves, total };
}

export function encodeIndex(entries: readonly IndexEntry[]): Uint8Array {
  if (entries.length > S.IX_MAX_ENTRIES) {
    throw new StoreError(`index leaf: ${entries.length} generations, at most ${S.IX_MAX_ENTRIES} fit`);
  }
  const [bytes, dv] = newBlock();
  dv.setUint32(S.IX_MAGIC_F, S.IX_MAGIC, true);
  dv.setUint32(S.IX_VERSION, S.FORMAT_VERSION, true);
  dv.setUint32(S.IX_COUNT, entries.length, true);
  entries.forEach((e, i) => {
    const at = S.IX_ENTRIES + 16 * i;
    dv.setUint32(at + S.IXE_GEN, e.generation, true);
    dv.setUint32(at + S.IXE_RECORD, e.recordBlock, true);
    dv.setUint32(at + S.IXE_RECORD_CRC, e.recordCrc, true);
    dv.setUint32(at + S.IXE_PARENT, e.parent, true);
  });
  return sealBlock(bytes, dv, S.IX_CRC);
}

export function decodeIndex(bytes: Uint8Array, where: string, block?: number): IndexEntry[] {
  const dv = openBlock(bytes, where, block, S.IX_MAGIC, S.IX_MAGIC_F, S.IX_VERSION, S.IX_CRC);
  const count = dv.getUint32(S.IX_COUNT, true);
  if (count === 0 || count > S.IX_MAX_ENTRIES) {
    throw new StoreError(`${where}: ${count} entries, an index leaf lists 1..${S.IX_MAX_ENTRIES}`, block);
  }
  const entries: IndexEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = S.IX_ENTRIES + 16 * i;
    entries.push({
      generation: dv.getUint32(at + S.IXE_GEN, true),
      recordBlock: dv.getUint32(at + S.IXE_RECORD, true),
      recordCrc: dv.getUint32(at + S.IXE_RECORD_CRC, true),
      parent: dv.getUint32(at + S.IXE_PARENT, true),
    });
  }
  return entries;
}

export function encodeRecord(rec: Omit<GenerationRecord, 'version'>): Uint8Array {
  if (rec.mapBlocks.length > S.GEN_MAX_MAP_BLOCKS) {
    throw new StoreError(
      `generation ${rec.number}: ${rec.mapBlocks.length} map blocks, at most ${S.GEN_MAX_MAP_BLOCKS}`,
    );
  }
  const [bytes, dv] = newBlock();
  const u32 = (off: number, v: number) => dv.setUint32(off, v, true);
  u32(S.GEN_MAGIC_F, S.GEN_MAGIC);
  u32(S.GEN_VERSION, S.FORMAT_VERSION);
  u32(S.GEN_NUMBER, rec.number);
  u32(S.GEN_PARENT, rec.parent);
  u32(S.GEN_WALL_LO, rec.wallSeconds % TWO_32);
  u32(S.GEN_WALL_HI, Math.floor(rec.wallSeconds / TWO_32));
  u32(S.GEN_UPTIME_LO, rec.uptimeMs % TWO_32);
  u32(S.GEN_UPTIME_HI, Math.floor(rec.uptimeMs / TWO_32));
  u32(S.GEN_PAUSE_US, rec.pauseUs);
  u32(S.GEN_PAGES_COW, rec.pagesCow);
  u32(S.GEN_PAGES_WRITTEN, rec.pagesWritten);
  u32(S.GEN_BYTES_WRITTEN, rec.bytesWritten);
  u32(S.GEN_WRITE_US, rec.writeUs);
  u32(S.GEN_COMMIT_US, rec.commitUs);
  u32(S.GEN_SPACE_SIZE, rec.spaceSize);
  u32(S.GEN_MAP_BLOCKS, rec.mapBlocks.length);
  rec.mapBlocks.forEach((m, i) => {
    u32(S.GEN_MAP + 8 * i + S.GME_BLOCK, m.block);
    u32(S.GEN_MAP + 8 * i + S.GME_CRC, m.crc);
  });
  return sealBlock(bytes, dv, S.GEN_CRC);
}

export function decodeRecord(bytes: Uint8Array, where: string, block?: number): GenerationRecord {
  const dv = openBlock(bytes, where, block, S.GEN_MAGIC, S.GEN_MAGIC_F, S.GEN_VERSION, S.GEN_CRC);
  const u32 = (off: number) => dv.getUint32(off, true);
  const spaceSize = u32(S.GEN_SPACE_SIZE);
  checkSpaceSize(spaceSize, where, block);
  const count = u32(S.GEN_MAP_BLOCKS);
  if (count !== mapBlocksFor(spaceSize)) {
    throw new StoreError(
      `${where}: ${count} map blocks, but a space of ${spaceSize} bytes needs ${mapBlocksFor(spaceSize)}`,
      block,
    );
  }
  const mapBlocks: BlockRef[] = [];
  for (let i = 0; i < count; i++) {
    mapBlocks.push({ block: u32(S.GEN_MAP + 8 * i + S.GME_BLOCK), crc: u32(S.GEN_MAP + 8 * i + S.GME_CRC) });
  }
  return {
    version: u32(S.GEN_VERSION),
    number: u32(S.GEN_NUMBER),
    parent: u32(S.GEN_PARENT),
    wallSeconds: u32(S.GEN_WALL_HI) * TWO_32 + u32(S.GEN_WALL_LO),
    uptimeMs: u32(S.GEN_UPTIME_HI) * TWO_32 + u32(S.GEN_UPTIME_LO),
    pauseUs: u32(S.GEN_PAUSE_US),
    pagesCow: u32(S.GEN_PAGES_COW),
    pagesWritten: u32(S.GEN_PAGES_WRITTEN),
    bytesWritten: u32(S.GEN_BYTES_WRITTEN),
    writeUs: u32(S.GEN_WRITE_US),
    commitUs: u32(S.GEN_COMMIT_US),
    spaceSize,
    mapBlocks,
  };
}

/** A page-map block from up to PME_PER_BLOCK entries (the rest stay zero). */
export function encodeMapBlock(entries: readonly BlockRef[]): Uint8Array {
  if (entries.length > S.PME_PER_BLOCK) {
    throw new StoreError(`map block: ${entries.length} entries, at most ${S.PME_PER_BLOCK}`);
  }
  const [bytes, dv] = newBlock();
  entries.forEach((e, i) => {
    dv.setUint32(8 * i + S.PME_BLOCK, e.block, true);
    dv.setUint32(8 * i + S.PME_CRC, e.crc, true);
  });
  return bytes;
}

/**
 * The PME_PER_BLOCK entries of a map block. A map block has no checksum of its own: the caller
 * checks it against the CRC its generation record holds (verifyAgainst).
 */
export function decodeMapBlock(bytes: Uint8Array, where: string, block?: number): BlockRef[] {
  if (bytes.length !== S.BLOCK_SIZE) {
    throw new StoreError(`${where}: is ${bytes.length} bytes, expected ${S.BLOCK_SIZE}`, block);
  }
  const dv = view(bytes);
  const entries: BlockRef[] = [];
  for (let i = 0; i < S.PME_PER_BLOCK; i++) {
    entries.push({
      block: dv.getUint32(8 * i + S.PME_BLOCK, true),
      crc: dv.getUint32(8 * i + S.PME_CRC, true),
    });
  }
  return entries;
}

/** Throws unless `bytes` has the CRC-32C `expected` (the value a parent block holds for it). */
export function verifyAgainst(bytes: Uint8Array, expected: number, where: string, block?: number): void {
  const actual = crc32cUpdate(0, bytes);
  if (actual !== expected) {
    throw new StoreError(
      `${where}: checksum mismatch (expected ${hex(expected)}, computed ${hex(actual)})`,
      block,
    );
  }
}
