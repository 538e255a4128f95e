/**
 * Writes an object space as generation 0 of a fresh store, block for block as store-format.md
 * "Generation 0 as `phc image` writes it" lays it out: superblock A (sequence 0), an empty slot
 * B, the index, the record, the page-map blocks, then every non-zero page in page order. The
 * result is sparse: only blocks that hold something are listed; the rest of the disk is zero.
 */
import * as S from '../spec/generated.js';
import {
  type BlockRef,
  blockCrc,
  encodeIndex,
  encodeMapBlock,
  encodeRecord,
  encodeSuperblock,
  mapBlocksFor,
  StoreError,
} from './blocks.js';
import { crc32c } from './crc32c.js';
import { openStore, type Store, ZERO_PAGE_CRC } from './reader.js';

/** A store as a sparse list of blocks; every block not listed is zero. */
export interface StoreImage {
  readonly blockCount: number;
  readonly blocks: ReadonlyMap<number, Uint8Array>;
}

export interface Generation0Options {
  /** Disk size in bytes (a multiple of BLOCK_SIZE); default: four times the space's pages plus the metadata. */
  readonly diskBytes?: number;
  /** Wall-clock time of the commit, Unix seconds; default: now. */
  readonly wallSeconds?: number;
}

const ZERO = new Uint8Array(S.BLOCK_SIZE);

/** A block reader over a StoreImage, for openStore. */
export function readStoreImage(image: StoreImage): (block: number) => Uint8Array {
  return (block) => image.blocks.get(block) ?? ZERO;
}

/** The store a StoreImage holds, read as from a disk of its blockCount blocks. */
export function openStoreImage(image: StoreImage): Store {
  return openStore(readStoreImage(image), image.blockCount);
}

function isZeroPage(space: Uint8Array, start: number): boolean {
  const words = new Int32Array(space.buffer, space.byteOffset + start, S.PAGE_SIZE / 4);
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
  return true;
}

export function writeGeneration0(space: Uint8Array, opts: Generation0Options = {}): StoreImage {
  const size = space.length;
  if (size % S.PAGE_SIZE !== 0 || size < S.SPACE_SIZE_MIN || size > S.SPACE_SIZE_MAX) {
    throw new StoreError(
      `object space of ${size} bytes: must be a multiple of ${S.PAGE_SIZE} in ${S.SPACE_SIZE_MIN}..${S.SPACE_SIZE_MAX}`,
    );
  }
  if (space.byteOffset % 4 !== 0)
    throw new StoreError('object space bytes must be 4-aligned in their buffer');
  const header = new DataView(space.buffer, space.byteOffset, S.SPACE_HEADER_BYTES);
  if (header.getUint32(S.SH_MAGIC, true) !== S.SPACE_MAGIC || header.getUint32(S.SH_SIZE, true) !== size) {
    throw new StoreError('object space: header magic or size does not match (not built by buildSpace?)');
  }
  const pages = size / S.PAGE_SIZE;
  const mapCount = mapBlocksFor(size);
  const firstMap = 4;
  const firstPage = firstMap + mapCount;
  const used: number[] = [];
  for (let p = 0; p < pages; p++) if (!isZeroPage(space, p * S.PAGE_SIZE)) used.push(p);

  const metadataBlocks = firstPage;
  const blockCount =
    opts.diskBytes === undefined ? 4 * pages + metadataBlocks : opts.diskBytes / S.BLOCK_SIZE;
  if (!Number.isInteger(blockCount) || blockCount > 0xffffffff) {
    throw new StoreError(`disk size ${opts.diskBytes} is not a whole number of ${S.BLOCK_SIZE}-byte blocks`);
  }
  const needed = firstPage + used.length;
  if (blockCount < needed) {
    throw new StoreError(
      `disk of ${blockCount} blocks is too small: generation 0 needs ${needed} (${used.length} pages + ${metadataBlocks} metadata)`,
    );
  }

  const blocks = new Map<number, Uint8Array>();
  const entries: BlockRef[] = Array.from({ length: pages }, () => ({
    block: S.ZERO_BLOCK,
    crc: ZERO_PAGE_CRC,
  }));
  used.forEach((page, i) => {
    const contents = space.slice(page * S.PAGE_SIZE, (page + 1) * S.PAGE_SIZE);
    const block = firstPage + i;
    blocks.set(block, contents);
    entries[page] = { block, crc: crc32c(contents) };
  });
  const mapBlocks: BlockRef[] = [];
  for (let m = 0; m < mapCount; m++) {
    const bytes = encodeMapBlock(entries.slice(m * S.PME_PER_BLOCK, (m + 1) * S.PME_PER_BLOCK));
    blocks.set(firstMap + m, bytes);
    mapBlocks.push({ block: firstMap + m, crc: crc32c(bytes) });
  }
  const record = encodeRecord({
    number: 0,
    parent: S.NO_GENERATION,
    wallSeconds: opts.wallSeconds ?? Math.floor(Date.now() / 1000),
    uptimeMs: 0,
    pauseUs: 0,
    pagesCow: 0,
    pagesWritten: used.length,
    bytesWritten: (used.length + mapCount + 3) * S.BLOCK_SIZE,
    writeUs: 0,
    commitUs: 0,
    spaceSize: size,
    mapBlocks,
  });
  blocks.set(3, record);
  const index = encodeIndex([
    { generation: 0, recordBlock: 3, recordCrc: blockCrc(record, S.GEN_CRC), parent: S.NO_GENERATION },
  ]);
  blocks.set(2, index);
  blocks.set(
    S.SB_BLOCK_A,
    encodeSuperblock({
      sequence: 0n,
      blockSize: S.BLOCK_SIZE,
      blockCount,
      spaceBase: S.SPACE_BASE,
      spaceSize: size,
      indexBlock: 2,
      indexCrc: blockCrc(index, S.IX_CRC),
      newestGeneration: 0,
      flags: 0,
    }),
  );
  return { blockCount, blocks };
}
