/**
 * A store disk held in memory, changed the ways a bad disk or a forger would (docs/store-format.md):
 * any field of any block, with every checksum above it recomputed (seal*) or left as it was;
 * blocks swapped or cut off; a generation appended as a kernel commit writes one. Tests of every
 * reader of the format use it: lang's, the kernel's boot tests, and the store differential
 * (kernel-src/tests/store-agree.mjs), which makes the kernel, phstore and this package's reader
 * agree on thousands of such stores.
 *
 * It reads blocks without judging them: deciding what is valid is the readers' job (reader.ts).
 */
import * as S from '../spec/generated.js';
import { blockCrc } from './blocks.js';
import { crc32c } from './crc32c.js';

const BLOCK = S.BLOCK_SIZE;
const IRE_BYTES = 16;
const IXE_BYTES = 16;
const GME_BYTES = 8;
const PME_BYTES = 8;
const TWO_32 = 2 ** 32;
const ZERO_PAGE_CRC = crc32c(new Uint8Array(BLOCK));

/** An index entry as it sits in its index leaf `block`, at byte `at`. */
export interface ForgeEntry {
  readonly position: number;
  readonly block: number;
  readonly at: number;
  readonly generation: number;
  readonly recordBlock: number;
  readonly recordCrc: number;
  readonly parent: number;
}

export class StoreDisk {
  private view: DataView;

  /** `bytes`: the whole disk (its length need not be whole blocks: a disk cut short). */
  constructor(private disk: Uint8Array) {
    this.view = new DataView(disk.buffer, disk.byteOffset, disk.byteLength);
  }

  /** The whole disk. */
  get bytes(): Uint8Array {
    return this.disk;
  }

  /** The disk cut short to `length` bytes, as a disk that lost its end. */
  cut(length: number): void {
    this.disk = this.disk.slice(0, length);
    this.view = new DataView(this.disk.buffer);
  }

  clone(): StoreDisk {
    return new StoreDisk(this.disk.slice());
  }

  /** Whole blocks on the disk. */
  get blockCount(): number {
    return Math.floor(this.disk.length / BLOCK);
  }

  /** Block n as a live view (writes change the disk); zeros (a copy) outside the disk. */
  block(n: number): Uint8Array {
    if (n < 0 || n >= this.blockCount) return new Uint8Array(BLOCK);
    return this.disk.subarray(n * BLOCK, (n + 1) * BLOCK);
  }

  u32(block: number, offset: number): number {
    if (block < 0 || block >= this.blockCount) return 0;
    return this.view.getUint32(block * BLOCK + offset, true);
  }

  set32(block: number, offset: number, value: number): void {
    if (block < 0 || block >= this.blockCount) return;
    this.view.setUint32(block * BLOCK + offset, value >>> 0, true);
  }

  /** Copies one block of bytes into block n (nothing outside the disk). */
  put(n: number, bytes: Uint8Array): void {
    if (n >= 0 && n < this.blockCount) this.block(n).set(bytes);
  }

  // ── what the blocks say (raw fields; nothing checked but what picking the slot needs) ──

  /** The sequence (64 bits) of a superblock slot whose magic, version, CRC and parity are right, else undefined. */
  slotSequence(slot: number): bigint | undefined {
    if (this.u32(slot, S.SB_MAGIC_F) !== S.SB_MAGIC || this.u32(slot, S.SB_VERSION) !== S.FORMAT_VERSION)
      return undefined;
    if (blockCrc(this.block(slot), S.SB_CRC) !== this.u32(slot, S.SB_CRC)) return undefined;
    const sequence = this.sequence(slot);
    return sequence % 2n === BigInt(slot) ? sequence : undefined;
  }

  private sequence(slot: number): bigint {
    return (BigInt(this.u32(slot, S.SB_SEQ_HI)) << 32n) | BigInt(this.u32(slot, S.SB_SEQ_LO));
  }

  /** The slot of the newest superblock that verifies (A when none does). */
  currentSlot(): number {
    const a = this.slotSequence(S.SB_BLOCK_A);
    const b = this.slotSequence(S.SB_BLOCK_B);
    return b !== undefined && (a === undefined || b > a) ? S.SB_BLOCK_B : S.SB_BLOCK_A;
  }

  superblock(slot = this.currentSlot()) {
    return {
      slot,
      sequence: this.sequence(slot),
      blockCount: this.u32(slot, S.SB_BLOCK_COUNT),
      spaceSize: this.u32(slot, S.SB_SPACE_SIZE),
      indexBlock: this.u32(slot, S.SB_INDEX_BLOCK),
      newest: this.u32(slot, S.SB_NEWEST_GEN),
    };
  }

  /**
   * The leaves of a slot's index, in order: those an index root lists (clamped to the block and
   * the disk, unchecked), or the index block itself when it is a leaf.
   */
  leaves(slot = this.currentSlot()): number[] {
    const ix = this.superblock(slot).indexBlock;
    if (this.u32(ix, S.IR_MAGIC_F) !== S.IR_MAGIC) return [ix];
    const out: number[] = [];
    const count = Math.min(this.u32(ix, S.IR_COUNT), S.IR_MAX_LEAVES);
    for (let k = 0; k < count; k++) {
      const leaf = this.u32(ix, S.IR_LEAVES + k * IRE_BYTES + S.IRE_BLOCK);
      if ((leaf + 1) * BLOCK <= this.disk.length && leaf !== ix) out.push(leaf);
    }
    return out;
  }

  /** The entries of a slot's index, in the index's order. */
  entries(slot = this.currentSlot()): ForgeEntry[] {
    const out: ForgeEntry[] = [];
    for (const block of this.leaves(slot)) {
      const count = Math.min(this.u32(block, S.IX_COUNT), S.IX_MAX_ENTRIES);
      for (let i = 0; i < count; i++) {
        const at = S.IX_ENTRIES + i * IXE_BYTES;
        out.push({
          position: out.length,
          block,
          at,
          generation: this.u32(block, at + S.IXE_GEN),
          recordBlock: this.u32(block, at + S.IXE_RECORD),
          recordCrc: this.u32(block, at + S.IXE_RECORD_CRC),
          parent: this.u32(block, at + S.IXE_PARENT),
        });
      }
    }
    return out;
  }

  /** The (first) entry of generation `number` in a slot's index. */
  entry(number: number, slot = this.currentSlot()): ForgeEntry | undefined {
    return this.entries(slot).find((e) => e.generation === number);
  }

  /** Map block j of a record: where it is and the CRC the record gives it. */
  mapRef(recordBlock: number, j: number): { block: number; crc: number } {
    return {
      block: this.u32(recordBlock, S.GEN_MAP + j * GME_BYTES + S.GME_BLOCK),
      crc: this.u32(recordBlock, S.GEN_MAP + j * GME_BYTES + S.GME_CRC),
    };
  }

  mapBlockCount(recordBlock: number): number {
    return Math.min(this.u32(recordBlock, S.GEN_MAP_BLOCKS), S.GEN_MAX_MAP_BLOCKS);
  }

  /** Page-map entry k of a map block. */
  pageRef(mapBlock: number, k: number): { block: number; crc: number } {
    return {
      block: this.u32(mapBlock, k * PME_BYTES + S.PME_BLOCK),
      crc: this.u32(mapBlock, k * PME_BYTES + S.PME_CRC),
    };
  }

  /** Where page `page` of the generation a record describes is stored (block 0: a zero page), and its map block. */
  pageOf(recordBlock: number, page: number): { map: number; block: number; crc: number } {
    const map = this.mapRef(recordBlock, Math.floor(page / S.PME_PER_BLOCK)).block;
    return { map, ...this.pageRef(map, page % S.PME_PER_BLOCK) };
  }

  /**
   * The object space of the generation a record describes, as its map entries say (unchecked):
   * whole pages only, so a damaged record's size that is not a multiple of a page loses its tail.
   */
  space(recordBlock: number): Uint8Array {
    const pages = Math.floor(this.u32(recordBlock, S.GEN_SPACE_SIZE) / BLOCK);
    const space = new Uint8Array(pages * BLOCK);
    for (let page = 0; page < pages; page++) {
      const { block } = this.pageOf(recordBlock, page);
      if (block !== S.ZERO_BLOCK) space.set(this.block(block), page * BLOCK);
    }
    return space;
  }

  // ── resealing: a block's checksum recomputed, and every checksum above it ──

  sealSuperblock(slot: number): void {
    this.set32(slot, S.SB_CRC, blockCrc(this.block(slot), S.SB_CRC));
  }

  /**
   * The slot's index resealed: every leaf an index root lists and its CRC in the root, then the
   * root (or the one leaf the superblock names), and its superblock's SB_INDEX_CRC with it.
   */
  sealIndex(slot = this.currentSlot()): void {
    const ix = this.superblock(slot).indexBlock;
    if (this.u32(ix, S.IR_MAGIC_F) === S.IR_MAGIC) {
      const count = Math.min(this.u32(ix, S.IR_COUNT), S.IR_MAX_LEAVES);
      for (let k = 0; k < count; k++) {
        const at = S.IR_LEAVES + k * IRE_BYTES;
        const leaf = this.u32(ix, at + S.IRE_BLOCK);
        if ((leaf + 1) * BLOCK > this.disk.length || leaf === ix) continue;
        const crc = blockCrc(this.block(leaf), S.IX_CRC);
        this.set32(leaf, S.IX_CRC, crc);
        this.set32(ix, at + S.IRE_CRC, crc);
      }
    }
    const crc = blockCrc(this.block(ix), S.IX_CRC);
    this.set32(ix, S.IX_CRC, crc);
    this.set32(slot, S.SB_INDEX_CRC, crc);
    this.sealSuperblock(slot);
  }

  /** Only the slot's index block (root or leaf) resealed, and its superblock: the leaves as they are. */
  sealRoot(slot = this.currentSlot()): void {
    const ix = this.superblock(slot).indexBlock;
    const crc = blockCrc(this.block(ix), S.IX_CRC);
    this.set32(ix, S.IX_CRC, crc);
    this.set32(slot, S.SB_INDEX_CRC, crc);
    this.sealSuperblock(slot);
  }

  /** The record the entry at `position` names, resealed, and that entry. */
  sealRecord(position: number, slot = this.currentSlot()): void {
    const entry = this.entries(slot)[position]!;
    const crc = blockCrc(this.block(entry.recordBlock), S.GEN_CRC);
    this.set32(entry.recordBlock, S.GEN_CRC, crc);
    this.set32(entry.block, entry.at + S.IXE_RECORD_CRC, crc);
    this.sealIndex(slot);
  }

  /** Map block j of the record the entry at `position` names: its CRC into the record, then up. */
  sealMap(position: number, j: number, slot = this.currentSlot()): void {
    const entry = this.entries(slot)[position]!;
    const { block } = this.mapRef(entry.recordBlock, j);
    this.set32(entry.recordBlock, S.GEN_MAP + j * GME_BYTES + S.GME_CRC, crc32c(this.block(block)));
    this.sealRecord(position, slot);
  }

  /** A page of the generation the entry at `position` names: its CRC into its map entry, then up. */
  sealPage(position: number, page: number, slot = this.currentSlot()): void {
    const entry = this.entries(slot)[position]!;
    const { map, block } = this.pageOf(entry.recordBlock, page);
    const crc = block === S.ZERO_BLOCK ? ZERO_PAGE_CRC : crc32c(this.block(block));
    this.set32(map, (page % S.PME_PER_BLOCK) * PME_BYTES + S.PME_CRC, crc);
    this.sealMap(position, Math.floor(page / S.PME_PER_BLOCK), slot);
  }

  // ── a generation appended as a kernel commit writes one ──

  /** One past the last block that holds anything: nothing live is ever there. */
  firstUnusedBlock(): number {
    for (let b = this.blockCount - 1; b >= 2; b--) if (this.block(b).some((x) => x !== 0)) return b + 1;
    return 2;
  }

  /**
   * Commits a generation on top of `parent` with `pages` (page number → 4096 bytes) changed, laid
   * out as store_commit lays one out (new pages, a new map block per touched range, the record,
   * an index leaf of every entry plus the new one, the other superblock slot), without retention. Its
   * blocks come after every block in use. Returns the new generation's number.
   */
  appendGeneration(
    parent: number,
    pages: ReadonlyMap<number, Uint8Array>,
    wallSeconds = 1_700_000_000,
  ): number {
    const slot = this.currentSlot();
    const sb = this.superblock(slot);
    const entries = this.entries(slot);
    const from = entries.find((e) => e.generation === parent);
    if (!from) throw new Error(`generation ${parent} is not in the index`);
    if (entries.length >= S.IX_MAX_ENTRIES) throw new Error('appendGeneration writes one-leaf indexes only');
    const number = Math.max(sb.newest, ...entries.map((e) => e.generation)) + 1;
    let next = this.firstUnusedBlock();
    const take = (): number => {
      if (next >= sb.blockCount || next >= this.blockCount) throw new Error('the disk is full');
      return next++;
    };
    const record = this.block(from.recordBlock).slice();
    const rv = new DataView(record.buffer);
    const ranges = new Map<number, Uint8Array>();
    for (const [page, bytes] of pages) {
      const j = Math.floor(page / S.PME_PER_BLOCK);
      const map = ranges.get(j) ?? this.block(this.mapRef(from.recordBlock, j).block).slice();
      ranges.set(j, map);
      const dv = new DataView(map.buffer);
      const k = (page % S.PME_PER_BLOCK) * PME_BYTES;
      const zero = bytes.every((x) => x === 0);
      const b = zero ? S.ZERO_BLOCK : take();
      if (!zero) this.put(b, bytes);
      dv.setUint32(k + S.PME_BLOCK, b, true);
      dv.setUint32(k + S.PME_CRC, zero ? ZERO_PAGE_CRC : crc32c(bytes), true);
    }
    for (const [j, map] of ranges) {
      const b = take();
      this.put(b, map);
      rv.setUint32(S.GEN_MAP + j * GME_BYTES + S.GME_BLOCK, b, true);
      rv.setUint32(S.GEN_MAP + j * GME_BYTES + S.GME_CRC, crc32c(map), true);
    }
    rv.setUint32(S.GEN_NUMBER, number, true);
    rv.setUint32(S.GEN_PARENT, parent, true);
    rv.setUint32(S.GEN_WALL_LO, wallSeconds % TWO_32, true);
    rv.setUint32(S.GEN_WALL_HI, Math.floor(wallSeconds / TWO_32), true);
    rv.setUint32(S.GEN_PAGES_WRITTEN, pages.size, true);
    rv.setUint32(S.GEN_CRC, blockCrc(record, S.GEN_CRC), true);
    const recordBlock = take();
    this.put(recordBlock, record);

    const index = new Uint8Array(BLOCK);
    const iv = new DataView(index.buffer);
    iv.setUint32(S.IX_MAGIC_F, S.IX_MAGIC, true);
    iv.setUint32(S.IX_VERSION, S.FORMAT_VERSION, true);
    const listed = [
      ...entries,
      { generation: number, recordBlock, recordCrc: rv.getUint32(S.GEN_CRC, true), parent },
    ];
    iv.setUint32(S.IX_COUNT, listed.length, true);
    listed.forEach((e, i) => {
      const at = S.IX_ENTRIES + i * IXE_BYTES;
      iv.setUint32(at + S.IXE_GEN, e.generation, true);
      iv.setUint32(at + S.IXE_RECORD, e.recordBlock, true);
      iv.setUint32(at + S.IXE_RECORD_CRC, e.recordCrc, true);
      iv.setUint32(at + S.IXE_PARENT, e.parent, true);
    });
    iv.setUint32(S.IX_CRC, blockCrc(index, S.IX_CRC), true);
    const indexBlock = take();
    this.put(indexBlock, index);

    const superblock = this.block(slot).slice();
    const sv = new DataView(superblock.buffer);
    sv.setBigUint64(S.SB_SEQ_LO, BigInt.asUintN(64, sb.sequence + 1n), true);
    sv.setUint32(S.SB_INDEX_BLOCK, indexBlock, true);
    sv.setUint32(S.SB_INDEX_CRC, iv.getUint32(S.IX_CRC, true), true);
    sv.setUint32(S.SB_NEWEST_GEN, number, true);
    sv.setUint32(S.SB_CRC, blockCrc(superblock, S.SB_CRC), true);
    this.put(slot === S.SB_BLOCK_A ? S.SB_BLOCK_B : S.SB_BLOCK_A, superblock);
    return number;
  }
}

/** A StoreImage (generation0.ts) as a whole disk of its blockCount blocks, to be changed. */
export function storeDiskOf(image: {
  blockCount: number;
  blocks: ReadonlyMap<number, Uint8Array>;
}): StoreDisk {
  const bytes = new Uint8Array(image.blockCount * BLOCK);
  for (const [n, block] of image.blocks) bytes.set(block, n * BLOCK);
  return new StoreDisk(bytes);
}
