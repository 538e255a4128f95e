// Store format tests: block encodings against store.def offsets, generation 0 layout, reading it
// back, and every kind of damage (bit flips, torn superblocks, records, map blocks and pages).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as S from '../spec/generated.js';
import {
  blockCrc,
  decodeIndex,
  decodeMapBlock,
  decodeRecord,
  decodeSuperblock,
  encodeIndex,
  encodeMapBlock,
  encodeRecord,
  encodeSuperblock,
  StoreError,
} from './blocks.js';
import { crc32c } from './crc32c.js';
import { readStoreImage, type StoreImage, writeGeneration0 } from './generation0.js';
import { openStore, ZERO_PAGE_CRC } from './reader.js';

const SPACE = S.SPACE_SIZE_MIN;

/** A space with a valid header and a few non-zero pages scattered through it. */
function sampleSpace(): Uint8Array {
  const space = new Uint8Array(SPACE);
  const dv = new DataView(space.buffer);
  dv.setUint32(S.SH_MAGIC, S.SPACE_MAGIC, true);
  dv.setUint32(S.SH_VERSION, S.FORMAT_VERSION, true);
  dv.setUint32(S.SH_SIZE, SPACE, true);
  for (const page of [1, 2, 100, 255]) space.fill(page, page * S.PAGE_SIZE + 7, page * S.PAGE_SIZE + 99);
  return space;
}

const u32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off, true);

/** A writable copy of a store image, so tests can damage blocks and commit new ones. */
function disk(image: StoreImage): Map<number, Uint8Array> {
  return new Map([...image.blocks].map(([k, v]) => [k, v.slice()]));
}
const reader = (blocks: Map<number, Uint8Array>) => (b: number) =>
  blocks.get(b) ?? new Uint8Array(S.BLOCK_SIZE);

/** Commits generation 1 the way the kernel does: page 100 changed, new map block, record, index, superblock B. */
function commitGeneration1(blocks: Map<number, Uint8Array>, image: StoreImage): { page: Uint8Array } {
  const store = openStore(reader(blocks));
  const rec0 = store.generation(0)!.record!;
  let next = Math.max(...blocks.keys()) + 1;
  const page = new Uint8Array(S.PAGE_SIZE).fill(0xab);
  const pageBlock = next++;
  blocks.set(pageBlock, page);
  const entries = decodeMapBlock(blocks.get(rec0.mapBlocks[0]!.block)!, 'map');
  entries[100] = { block: pageBlock, crc: crc32c(page) };
  const map = encodeMapBlock(entries);
  const mapBlock = next++;
  blocks.set(mapBlock, map);
  const record = encodeRecord({
    ...rec0,
    number: 1,
    parent: 0,
    uptimeMs: 1000,
    mapBlocks: [{ block: mapBlock, crc: crc32c(map) }],
  });
  const recordBlock = next++;
  blocks.set(recordBlock, record);
  const index = encodeIndex([
    ...store.generations,
    { generation: 1, recordBlock, recordCrc: blockCrc(record, S.GEN_CRC), parent: 0 },
  ]);
  const indexBlock = next++;
  blocks.set(indexBlock, index);
  blocks.set(
    S.SB_BLOCK_B,
    encodeSuperblock({
      ...store.superblock,
      sequence: 1,
      indexBlock,
      indexCrc: blockCrc(index, S.IX_CRC),
      newestGeneration: 1,
    }),
  );
  assert.ok(next <= image.blockCount);
  return { page };
}

test('superblock encodes every field at its store.def offset and decodes back', () => {
  const sb = {
    sequence: 2 ** 33 + 5,
    blockSize: S.BLOCK_SIZE,
    blockCount: 1000,
    spaceBase: S.SPACE_BASE,
    spaceSize: SPACE,
    indexBlock: 7,
    indexCrc: 0xdeadbeef,
    newestGeneration: 42,
    flags: 0,
  };
  const bytes = encodeSuperblock(sb);
  assert.equal(u32(bytes, S.SB_MAGIC_F), S.SB_MAGIC);
  assert.equal(u32(bytes, S.SB_SEQ_LO), 5);
  assert.equal(u32(bytes, S.SB_SEQ_HI), 2);
  assert.equal(u32(bytes, S.SB_INDEX_CRC), 0xdeadbeef);
  assert.equal(u32(bytes, S.SB_CRC), blockCrc(bytes, S.SB_CRC));
  assert.ok(
    bytes.subarray(64).every((b) => b === 0),
    'bytes 64..4095 are zero',
  );
  assert.deepEqual(decodeSuperblock(bytes, 'sb'), { version: S.FORMAT_VERSION, ...sb });
});

test('index, record and map blocks round-trip', () => {
  const entries = [
    { generation: 0, recordBlock: 3, recordCrc: 1, parent: S.NO_GENERATION },
    { generation: 1, recordBlock: 9, recordCrc: 2, parent: 0 },
  ];
  const ix = encodeIndex(entries);
  assert.equal(u32(ix, S.IX_COUNT), 2);
  assert.equal(u32(ix, S.IX_ENTRIES + 16 + S.IXE_RECORD), 9);
  assert.deepEqual(decodeIndex(ix, 'ix'), entries);
  const rec = {
    number: 3,
    parent: 1,
    wallSeconds: 2 ** 40 + 1,
    uptimeMs: 123456,
    pauseUs: 5,
    pagesCow: 6,
    pagesWritten: 7,
    bytesWritten: 8,
    writeUs: 9,
    commitUs: 10,
    spaceSize: SPACE,
    mapBlocks: [{ block: 11, crc: 12 }],
  };
  const rb = encodeRecord(rec);
  assert.equal(u32(rb, S.GEN_WALL_HI), 256);
  assert.equal(u32(rb, S.GEN_MAP + S.GME_BLOCK), 11);
  assert.deepEqual(decodeRecord(rb, 'rec'), { version: S.FORMAT_VERSION, ...rec });
  const map = encodeMapBlock([{ block: 5, crc: 6 }]);
  assert.deepEqual(decodeMapBlock(map, 'map').slice(0, 2), [
    { block: 5, crc: 6 },
    { block: 0, crc: 0 },
  ]);
});

test('decoders reject wrong magic, version, checksum, size and counts with the block named', () => {
  const ix = encodeIndex([]);
  const cases: [string, (b: Uint8Array) => void, RegExp][] = [
    ['magic', (b) => b.set([0], S.IX_MAGIC_F), /bad magic/],
    ['version', (b) => b.set([9], S.IX_VERSION), /format version 9/],
    ['bit flip', (b) => b.set([1], 2000), /checksum mismatch/],
  ];
  for (const [name, damage, message] of cases) {
    const b = ix.slice();
    damage(b);
    assert.throws(
      () => decodeIndex(b, 'index (block 2)', 2),
      (e: unknown) => {
        assert.ok(e instanceof StoreError, name);
        assert.match(e.message, /^index \(block 2\): /);
        assert.match(e.message, message);
        assert.equal(e.block, 2);
        return true;
      },
    );
  }
  assert.throws(() => decodeIndex(ix.subarray(0, 100), 'ix'), /is 100 bytes/);
  const tooMany = ix.slice();
  new DataView(tooMany.buffer).setUint32(S.IX_COUNT, 300, true);
  new DataView(tooMany.buffer).setUint32(S.IX_CRC, blockCrc(tooMany, S.IX_CRC), true);
  assert.throws(() => decodeIndex(tooMany, 'ix'), /300 entries/);
  const badMaps = encodeRecord({
    number: 0,
    parent: 0,
    wallSeconds: 0,
    uptimeMs: 0,
    pauseUs: 0,
    pagesCow: 0,
    pagesWritten: 0,
    bytesWritten: 0,
    writeUs: 0,
    commitUs: 0,
    spaceSize: SPACE,
    mapBlocks: [],
  });
  assert.throws(() => decodeRecord(badMaps, 'rec'), /0 map blocks, but a space of 1048576 bytes needs 1/);
});

test('generation 0 is laid out as store-format.md says and reads back verified', () => {
  const space = sampleSpace();
  const image = writeGeneration0(space, { wallSeconds: 1700000000 });
  const pages = SPACE / S.PAGE_SIZE;
  assert.equal(image.blockCount, 4 * pages + 4 + 1);
  assert.deepEqual(
    [...image.blocks.keys()].sort((a, b) => a - b),
    [0, 2, 3, 4, 5, 6, 7, 8, 9],
    'superblock A, index, record, one map block, then the 5 non-zero pages (0, 1, 2, 100, 255)',
  );
  assert.deepEqual(image.blocks.get(8), space.subarray(100 * S.PAGE_SIZE, 101 * S.PAGE_SIZE));
  const store = openStore(readStoreImage(image));
  assert.equal(store.superblock.sequence, 0);
  assert.equal(store.superblocks[1]!.error, 'superblock B (block 1): empty');
  assert.deepEqual(store.problems, []);
  const [g0] = store.generations;
  assert.equal(g0!.generation, 0);
  assert.equal(g0!.parent, S.NO_GENERATION);
  assert.equal(g0!.record!.wallSeconds, 1700000000);
  assert.equal(g0!.record!.pagesWritten, 5);
  assert.deepEqual(store.readGenerationPages(0), space);
  const mounted = store.mount();
  assert.equal(mounted.generation, 0);
  assert.deepEqual(mounted.skipped, []);
  // The index holds the record's own GEN_CRC, the superblock the index's own IX_CRC (store.def).
  assert.equal(g0!.recordCrc, u32(image.blocks.get(3)!, S.GEN_CRC));
  assert.equal(store.superblock.indexCrc, u32(image.blocks.get(2)!, S.IX_CRC));
  const map = decodeMapBlock(image.blocks.get(4)!, 'map');
  assert.deepEqual(map[3], { block: 0, crc: ZERO_PAGE_CRC });
});

test('writeGeneration0 rejects bad spaces and disks that are too small', () => {
  assert.throws(() => writeGeneration0(new Uint8Array(5000)), /multiple of 4096/);
  assert.throws(() => writeGeneration0(new Uint8Array(SPACE)), /header magic/);
  assert.throws(
    () => writeGeneration0(sampleSpace(), { diskBytes: 4096 * 9 }),
    /9 blocks is too small: generation 0 needs 10/,
  );
  assert.throws(() => writeGeneration0(sampleSpace(), { diskBytes: 4097 }), /whole number/);
  assert.equal(writeGeneration0(sampleSpace(), { diskBytes: 4096 * 10 }).blockCount, 10);
});

test('a torn newer superblock leaves the previous generation mounted', () => {
  const image = writeGeneration0(sampleSpace());
  const blocks = disk(image);
  const { page } = commitGeneration1(blocks, image);
  const store = openStore(reader(blocks));
  assert.equal(store.superblock.sequence, 1);
  assert.deepEqual(
    store.generations.map((g) => [g.generation, g.parent]),
    [
      [0, S.NO_GENERATION],
      [1, 0],
    ],
  );
  assert.deepEqual(store.mount().space.subarray(100 * S.PAGE_SIZE, 101 * S.PAGE_SIZE), page);
  // Tear the write of superblock B after every byte of its 64 meaningful ones (the slot held zeros): A still wins.
  const written = blocks.get(S.SB_BLOCK_B)!;
  for (let cut = 0; cut < 64; cut++) {
    const torn = new Map(blocks);
    const sb = new Uint8Array(S.BLOCK_SIZE);
    sb.set(written.subarray(0, cut));
    torn.set(S.SB_BLOCK_B, sb);
    const s = openStore(reader(torn));
    assert.equal(s.superblock.sequence, 0, `cut after ${cut} bytes`);
    assert.deepEqual(
      s.generations.map((g) => g.generation),
      [0],
    );
  }
});

test('a damaged newest generation is skipped with its reason, and the parent is used', () => {
  const image = writeGeneration0(sampleSpace());
  for (const target of ['page', 'map', 'record'] as const) {
    const blocks = disk(image);
    commitGeneration1(blocks, image);
    const store = openStore(reader(blocks));
    const rec1 = store.generation(1)!.record!;
    const map = blocks.get(rec1.mapBlocks[0]!.block)!;
    const victim = {
      page: decodeMapBlock(map, 'map')[100]!.block,
      map: rec1.mapBlocks[0]!.block,
      record: store.generation(1)!.recordBlock,
    }[target];
    blocks.get(victim)![123]! ^= 0x10;
    const damaged = openStore(reader(blocks));
    const mounted = damaged.mount();
    assert.equal(mounted.generation, 0, target);
    assert.equal(mounted.skipped.length, 1);
    assert.match(mounted.skipped[0]!.error, /^generation 1 /);
    assert.match(
      mounted.skipped[0]!.error,
      target === 'page' ? /page 100 \(address 0x40064000\)/ : /checksum/,
    );
    assert.throws(() => damaged.readGenerationPages(1), StoreError);
    assert.deepEqual(damaged.mount(0).space, sampleSpace());
  }
});

test('no valid superblock, or no generation that verifies, is a clear error', () => {
  const image = writeGeneration0(sampleSpace());
  assert.throws(
    () => openStore(() => new Uint8Array(S.BLOCK_SIZE)),
    /no usable superblock: superblock A \(block 0\): empty/,
  );
  const blocks = disk(image);
  blocks.get(5)![0]! ^= 1;
  const store = openStore(reader(blocks));
  assert.throws(() => store.mount(), /no generation verifies: generation 0 page 0 .* checksum mismatch/);
  assert.throws(() => store.readGenerationPages(7), /generation 7 is not in the index \(kept: 0\)/);
});

test('random bit flips anywhere in the store end in a StoreError or a verified space, never a crash', () => {
  const space = sampleSpace();
  const image = writeGeneration0(space);
  let seed = 7;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const keys = [...image.blocks.keys()];
  for (let i = 0; i < 500; i++) {
    const blocks = disk(image);
    const victim = keys[rand(keys.length)]!;
    blocks.get(victim)![rand(S.BLOCK_SIZE)]! ^= 1 << rand(8);
    try {
      const mounted = openStore(reader(blocks)).mount();
      assert.deepEqual(mounted.space, space, 'a space that verifies is the one written');
    } catch (err) {
      assert.ok(err instanceof StoreError, String(err));
    }
  }
});
