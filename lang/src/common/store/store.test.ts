// Store format tests: block encodings against store.def offsets, generation 0 layout, reading it
// back, every kind of damage (bit flips, torn superblocks, records, map blocks and pages), and
// the mount rule of store-format.md ("Which generation a store mounts"): rollbacks, index
// entries, superblock geometry, contents, refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpace } from '../image/builder.js';
import { type ClassSpec, program, systemClasses } from '../interp/assembler.js';
import * as S from '../spec/generated.js';
import {
  blockCrc,
  decodeIndex,
  decodeMapBlock,
  decodeRecord,
  decodeSuperblock,
  encodeIndex,
  encodeIndexRoot,
  encodeMapBlock,
  encodeRecord,
  encodeSuperblock,
  StoreError,
} from './blocks.js';
import { type StoreDisk, storeDiskOf } from './forge.js';
import { openStoreImage, type StoreImage, writeGeneration0 } from './generation0.js';
import { openStore, type Store, ZERO_PAGE_CRC } from './reader.js';

const SPACE = S.SPACE_SIZE_MIN;

const idle: ClassSpec = {
  name: '.t.Idle',
  fields: [],
  methods: [
    { name: '<init>', argc: 1, code: 'RET_VOID' },
    { name: 'run', argc: 1, returns: true, consts: [], code: 'PUSH_INT 1\nRET' },
  ],
};

/** Pages past SH_TOP that hold bytes (the space check looks only up to SH_TOP). */
const SCATTERED = [100, 255];

/** A sound space (one idle thread) with a few non-zero pages scattered past its objects. */
function sampleSpace(): Uint8Array {
  const space = buildSpace(program([...systemClasses(), idle]), {
    spaceBytes: SPACE,
    mainClasses: ['.t.Idle'],
  });
  for (const page of SCATTERED) space.fill(page, page * S.PAGE_SIZE + 7, page * S.PAGE_SIZE + 99);
  return space;
}

/** Pages of a space that are not all zero. */
const nonZeroPages = (space: Uint8Array): number[] =>
  Array.from({ length: space.length / S.PAGE_SIZE }, (_, p) => p).filter((p) =>
    space.subarray(p * S.PAGE_SIZE, (p + 1) * S.PAGE_SIZE).some((b) => b !== 0),
  );

const u32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off, true);

/** A writable copy of a store image, so tests can damage blocks and commit new ones. */
function disk(image: StoreImage): Map<number, Uint8Array> {
  return new Map([...image.blocks].map(([k, v]) => [k, v.slice()]));
}
const reader = (blocks: Map<number, Uint8Array>) => (b: number) =>
  blocks.get(b) ?? new Uint8Array(S.BLOCK_SIZE);
const openBlocks = (blocks: Map<number, Uint8Array>, image: StoreImage): Store =>
  openStore(reader(blocks), image.blockCount);
const openDisk = (d: StoreDisk): Store => openStore((b) => d.block(b), d.blockCount);

test('superblock encodes every field at its store.def offset and decodes back', () => {
  const sb = {
    sequence: 2n ** 33n + 5n,
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
  const used = nonZeroPages(space);
  assert.ok(used.includes(0) && used.includes(100) && used.includes(255));
  assert.equal(image.blockCount, 4 * pages + 4 + 1);
  assert.deepEqual(
    [...image.blocks.keys()].sort((a, b) => a - b),
    [0, 2, 3, 4, ...used.map((_, i) => 5 + i)],
    'superblock A, index, record, one map block, then the non-zero pages in page order',
  );
  assert.deepEqual(
    image.blocks.get(5 + used.indexOf(100)),
    space.subarray(100 * S.PAGE_SIZE, 101 * S.PAGE_SIZE),
  );
  const store = openStoreImage(image);
  assert.equal(store.superblock.sequence, 0n);
  assert.equal(store.superblocks[1]!.error, 'superblock B (block 1): empty');
  assert.deepEqual(store.problems, []);
  const [g0] = store.generations;
  assert.equal(g0!.generation, 0);
  assert.equal(g0!.parent, S.NO_GENERATION);
  assert.equal(g0!.damage, undefined);
  assert.equal(g0!.record!.wallSeconds, 1700000000);
  assert.equal(g0!.record!.pagesWritten, used.length);
  assert.deepEqual(store.readGenerationPages(0), space);
  const mounted = store.mount();
  assert.equal(mounted.generation, 0);
  assert.deepEqual(mounted.skipped, []);
  assert.deepEqual(mounted.space, space, 'the space check leaves no mark behind');
  // The index holds the record's own GEN_CRC, the superblock the index's own IX_CRC (store.def).
  assert.equal(g0!.recordCrc, u32(image.blocks.get(3)!, S.GEN_CRC));
  assert.equal(store.superblock.indexCrc, u32(image.blocks.get(2)!, S.IX_CRC));
  const map = decodeMapBlock(image.blocks.get(4)!, 'map');
  const zeroPage = Array.from({ length: pages }, (_, p) => p).find((p) => !used.includes(p))!;
  assert.deepEqual(map[zeroPage], { block: 0, crc: ZERO_PAGE_CRC });
  assert.equal(store.newestNumber, 0);
  assert.ok(store.canTakeGeneration);
});

test('writeGeneration0 rejects bad spaces and disks that are too small', () => {
  const used = nonZeroPages(sampleSpace()).length;
  assert.throws(() => writeGeneration0(new Uint8Array(5000)), /multiple of 4096/);
  assert.throws(() => writeGeneration0(new Uint8Array(SPACE)), /header magic/);
  assert.throws(
    () => writeGeneration0(sampleSpace(), { diskBytes: 4096 * (4 + used) }),
    new RegExp(`${4 + used} blocks is too small: generation 0 needs ${5 + used}`),
  );
  assert.throws(() => writeGeneration0(sampleSpace(), { diskBytes: 4097 }), /whole number/);
  assert.equal(writeGeneration0(sampleSpace(), { diskBytes: 4096 * (5 + used) }).blockCount, 5 + used);
});

/** A store of the sample space with generation 1 on top (page 100 rewritten), as the kernel commits. */
function twoGenerations(): { disk: StoreDisk; page: Uint8Array } {
  const d = storeDiskOf(writeGeneration0(sampleSpace()));
  const page = new Uint8Array(S.PAGE_SIZE).fill(0xab);
  d.appendGeneration(0, new Map([[100, page]]));
  return { disk: d, page };
}

test('a torn newer superblock leaves the previous generation mounted', () => {
  const { disk: d, page } = twoGenerations();
  const store = openDisk(d);
  assert.equal(store.superblock.sequence, 1n);
  assert.deepEqual(
    store.generations.map((g) => [g.generation, g.parent]),
    [
      [0, S.NO_GENERATION],
      [1, 0],
    ],
  );
  assert.deepEqual(store.mount().space.subarray(100 * S.PAGE_SIZE, 101 * S.PAGE_SIZE), page);
  // Tear the write of superblock B after every byte of its 64 meaningful ones (the slot held zeros): A still wins.
  const written = d.block(S.SB_BLOCK_B).slice();
  for (let cut = 0; cut < 64; cut++) {
    const torn = d.clone();
    torn.block(S.SB_BLOCK_B).fill(0).set(written.subarray(0, cut));
    const s = openDisk(torn);
    assert.equal(s.superblock.sequence, 0n, `cut after ${cut} bytes`);
    assert.deepEqual(
      s.generations.map((g) => g.generation),
      [0],
    );
  }
});

test('a damaged newest generation is skipped with its reason, and the parent is used', () => {
  for (const target of ['page', 'map', 'record'] as const) {
    const { disk: d } = twoGenerations();
    const record = d.entry(1)!.recordBlock;
    const victim = { page: d.pageOf(record, 100).block, map: d.mapRef(record, 0).block, record }[target];
    d.block(victim)[123]! ^= 0x10;
    const damaged = openDisk(d);
    const mounted = damaged.mount();
    assert.equal(mounted.generation, 0, target);
    assert.equal(mounted.skipped.length, 1);
    assert.equal(mounted.skipped[0]!.damage, target);
    assert.match(mounted.skipped[0]!.error, /^generation 1 /);
    assert.match(
      mounted.skipped[0]!.error,
      target === 'page' ? /page 100 \(address 0x40064000\)/ : /checksum/,
    );
    assert.equal(
      damaged.generation(1)!.damage,
      target === 'page' ? undefined : target,
      'the listing knows maps and records',
    );
    assert.throws(() => damaged.readGenerationPages(1), StoreError);
    assert.deepEqual(damaged.mount(0).space, sampleSpace());
  }
});

test('no valid superblock, or no generation that verifies, is a clear error', () => {
  const refusal = (fn: () => unknown, why: string, message: RegExp) =>
    assert.throws(
      fn,
      (e: unknown) => e instanceof StoreError && e.refusal === why && message.test(e.message),
    );
  refusal(
    () => openStore(() => new Uint8Array(S.BLOCK_SIZE), 64),
    'no-store',
    /no usable superblock: superblock A \(block 0\): empty/,
  );
  refusal(
    () => openStore(() => new Uint8Array(S.BLOCK_SIZE), 1),
    'unreadable',
    /superblock B \(block 1\): cannot be read/,
  );
  const d = storeDiskOf(writeGeneration0(sampleSpace()));
  d.block(5)[0]! ^= 1;
  const store = openDisk(d);
  refusal(
    () => store.mount(),
    'no-valid-generation',
    /no generation verifies: generation 0 page 0 .* checksum mismatch/,
  );
  refusal(() => store.mount(7), 'not-kept', /generation 7 is not in the index \(kept: 0\)/);
  refusal(() => store.readGenerationPages(7), 'not-kept', /generation 7 is not in the index/);
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
      const mounted = openBlocks(blocks, image).mount();
      assert.deepEqual(mounted.space, space, 'a space that verifies is the one written');
    } catch (err) {
      assert.ok(err instanceof StoreError, String(err));
    }
  }
});

// ── the mount rule (store-format.md, "Which generation a store mounts") ──

/** Generation 0, then 1 … `tip` each on its parent, each with page 100 rewritten. */
function chain(tip: number): StoreDisk {
  const d = storeDiskOf(writeGeneration0(sampleSpace(), { diskBytes: 2048 * S.BLOCK_SIZE }));
  for (let g = 1; g <= tip; g++)
    d.appendGeneration(g - 1, new Map([[100, new Uint8Array(S.PAGE_SIZE).fill(g)]]));
  return d;
}

test('after a rollback whose first commit is damaged, the mount goes back to the rollback target, not the abandoned tip', () => {
  const d = chain(21);
  const first = d.appendGeneration(15, new Map([[100, new Uint8Array(S.PAGE_SIZE).fill(0x22)]]));
  assert.equal(first, 22);
  d.block(d.entry(22)!.recordBlock)[200]! ^= 1;
  const mounted = openDisk(d).mount();
  assert.equal(mounted.generation, 15);
  assert.deepEqual(
    mounted.skipped.map((s) => s.generation),
    [22],
  );
  assert.equal(mounted.space[100 * S.PAGE_SIZE], 15);
});

test('an index that lists no generation is no index: the superblock before it is used', () => {
  const d = chain(20);
  d.appendGeneration(20, new Map([[100, new Uint8Array(S.PAGE_SIZE).fill(0x21)]]));
  d.set32(d.superblock().indexBlock, S.IX_COUNT, 0);
  d.sealIndex();
  const store = openDisk(d);
  assert.equal(store.generations.length, 21);
  assert.equal(store.mount().generation, 20);
  assert.match(store.problems.join('\n'), /0 entries, an index leaf lists 1\.\.255/);
});

test('a superblock naming more blocks than the disk has is unsupported: the other one is used, and alone it is refused', () => {
  const d = chain(3);
  const newest = d.currentSlot();
  d.set32(newest, S.SB_BLOCK_COUNT, 0x7fffffff);
  d.sealSuperblock(newest);
  const store = openDisk(d);
  assert.equal(store.mount().generation, 2);
  assert.ok(store.superblocks[newest]!.unsupported);
  assert.match(
    store.superblocks[newest]!.error!,
    /the store has 2147483647 blocks, the disk only 2048 \(cut short\?\)/,
  );
  d.block(newest === S.SB_BLOCK_A ? S.SB_BLOCK_B : S.SB_BLOCK_A).fill(0);
  assert.throws(
    () => openDisk(d),
    (e: unknown) => e instanceof StoreError && e.refusal === 'unsupported',
  );
});

test('superblock sequences are compared in all their 64 bits, as the kernel does', () => {
  const d = chain(3);
  const older = 1 - d.currentSlot();
  d.set32(older, S.SB_SEQ_HI, 0xffffffff); // far above 2 ** 53: a double would lose its parity
  d.sealSuperblock(older);
  const store = openDisk(d);
  assert.equal(store.superblock.sequence % 2n, BigInt(older));
  assert.equal(store.mount().generation, 2);
});

test('index entries unusable by themselves are marked, and only their generations are lost', () => {
  const rewire = (edit: (d: StoreDisk, ix: number) => void) => {
    const d = chain(4);
    edit(d, d.superblock().indexBlock);
    d.sealIndex();
    return openDisk(d);
  };
  const at = (d: StoreDisk, g: number) => d.entry(g)!.at;
  // 3 -> 4 -> 3: a parent cycle. Generation 3's parent is not older: damaged, and never followed.
  const cycle = rewire((d, ix) => d.set32(ix, at(d, 3) + S.IXE_PARENT, 4));
  assert.equal(cycle.generation(3)!.damage, 'entry');
  assert.match(cycle.generation(3)!.error!, /its parent 4 is not older than it/);
  assert.equal(cycle.mount().generation, 4);
  assert.equal(cycle.mount(3).generation, 2);
  // Two entries say 3: both damaged; the walk goes from the last to its parent (3, damaged), then to 2.
  const twice = rewire((d, ix) => d.set32(ix, at(d, 4) + S.IXE_GEN, 3));
  assert.deepEqual(
    twice.generations.map((g) => [g.generation, g.damage]),
    [
      [0, undefined],
      [1, undefined],
      [2, undefined],
      [3, 'entry'],
      [3, 'entry'],
    ],
  );
  assert.equal(twice.mount().generation, 2);
  // A number of NO_GENERATION sorts last and is damaged; its parent (3) is followed.
  const none = rewire((d, ix) => d.set32(ix, at(d, 4) + S.IXE_GEN, S.NO_GENERATION));
  assert.equal(none.generations.at(-1)!.damage, 'entry');
  assert.equal(none.mount().generation, 3);
  assert.equal(none.newestNumber, 4, 'the superblock still says 4');
  // Listed, but not a number one can ask for (the kernel's gen= cannot say it): refused, as phrun does.
  assert.throws(
    () => none.mount(S.NO_GENERATION),
    (err) =>
      err instanceof StoreError && err.refusal === 'not-kept' && /no generation number/.test(err.message),
  );
  // Entries out of order are sorted.
  const shuffled = rewire((d, ix) => {
    const second = d.block(ix).slice(S.IX_ENTRIES + 16, S.IX_ENTRIES + 32);
    d.block(ix).copyWithin(S.IX_ENTRIES + 16, S.IX_ENTRIES + 64, S.IX_ENTRIES + 80);
    d.block(ix).set(second, S.IX_ENTRIES + 64);
  });
  assert.deepEqual(
    shuffled.generations.map((g) => g.generation),
    [0, 1, 2, 3, 4],
  );
  assert.equal(shuffled.mount().generation, 4);
});

test('a newest generation whose checksums verify but whose space is not sound is skipped for its parent', () => {
  const d = storeDiskOf(writeGeneration0(sampleSpace()));
  const header = d.space(d.entry(0)!.recordBlock).slice(0, S.PAGE_SIZE);
  new DataView(header.buffer).setUint32(S.SH_ROOT, S.SPACE_BASE + SPACE - S.PAGE_SIZE + S.REF_TAG, true);
  d.appendGeneration(0, new Map([[0, header]]));
  const mounted = openDisk(d).mount();
  assert.equal(mounted.generation, 0);
  assert.deepEqual(mounted.skipped, [
    {
      generation: 1,
      damage: 'contents',
      error: "generation 1: its object space is not sound: SH_ROOT is not an object with the root's slots",
    },
  ]);
});

test("the forge reads a damaged record's space whole pages only", () => {
  // A damaged record's size need not be whole pages: the soak (seeds 6301-6350) met one.
  const d = storeDiskOf(writeGeneration0(sampleSpace()));
  const record = d.entry(0)!.recordBlock;
  d.set32(record, S.GEN_SPACE_SIZE, SPACE - 100);
  assert.equal(d.space(record).length, SPACE - S.PAGE_SIZE);
});

test('a zero-page entry with another checksum damages its generation', () => {
  const d = chain(1);
  const record = d.entry(1)!.recordBlock;
  const { map } = d.pageOf(record, 101);
  d.set32(map, 101 * 8 + S.PME_CRC, 0x1234);
  d.sealMap(d.entry(1)!.position, 0);
  const store = openDisk(d);
  assert.equal(store.generation(1)!.damage, 'map');
  assert.equal(store.mount().generation, 0);
});

test('a store whose newest number is NO_GENERATION - 1 mounts but cannot take a generation', () => {
  const d = chain(2);
  const slot = d.currentSlot();
  d.set32(slot, S.SB_NEWEST_GEN, S.NO_GENERATION - 1);
  d.sealSuperblock(slot);
  const store = openDisk(d);
  assert.equal(store.mount().generation, 2);
  assert.equal(store.newestNumber, S.NO_GENERATION - 1);
  assert.equal(store.canTakeGeneration, false);
});

/** chain(5) with its index split into two leaves under an index root (what the kernel writes past 255 generations). */
function rooted(): { d: StoreDisk; slot: number; root: number } {
  const d = chain(5);
  const slot = d.currentSlot();
  const entries = decodeIndex(d.block(d.superblock(slot).indexBlock), 'index');
  const halves = [entries.slice(0, 3), entries.slice(3)];
  let next = d.firstUnusedBlock();
  const leaves = halves.map((h) => {
    const bytes = encodeIndex(h);
    const block = next++;
    d.put(block, bytes);
    return { block, crc: blockCrc(bytes, S.IX_CRC), count: h.length };
  });
  const root = next++;
  d.put(root, encodeIndexRoot(leaves, entries.length));
  d.set32(slot, S.SB_INDEX_BLOCK, root);
  d.sealRoot(slot);
  return { d, slot, root };
}

test('an index root and its leaves read as the one index they list', () => {
  const { d } = rooted();
  const store = openDisk(d);
  assert.deepEqual(
    store.generations.map((g) => g.generation),
    [0, 1, 2, 3, 4, 5],
  );
  assert.equal(store.mount().generation, 5);
  assert.deepEqual(d.leaves().length, 2);
});

test('a malformed index root is refused with its reason, never followed: the index before it is used', () => {
  const cases: [string, (d: StoreDisk, root: number) => void, RegExp][] = [
    ['a cycle', (d, root) => d.set32(root, S.IR_LEAVES + S.IRE_BLOCK, root), /outside 2\.\.\d+ or the root/],
    [
      'a leaf twice',
      (d, root) => d.set32(root, S.IR_LEAVES + 16 + S.IRE_BLOCK, d.u32(root, S.IR_LEAVES)),
      /listed twice/,
    ],
    ['past the disk', (d, root) => d.set32(root, S.IR_LEAVES + S.IRE_BLOCK, d.blockCount), /outside/],
    [
      'a wrong leaf CRC',
      (d, root) => d.set32(root, S.IR_LEAVES + S.IRE_CRC, 7),
      /checksum is not the one its root holds/,
    ],
    ['counts', (d, root) => d.set32(root, S.IR_TOTAL, 7), /its total says 7/],
    ['no leaves', (d, root) => d.set32(root, S.IR_COUNT, 0), /0 leaves/],
    [
      'too many',
      (d, root) => d.set32(root, S.IR_TOTAL, S.IX_MAX_GENERATIONS + 1),
      /generations, an index lists/,
    ],
  ];
  for (const [what, edit, message] of cases) {
    const { d, slot, root } = rooted();
    edit(d, root);
    d.sealRoot(slot);
    const store = openDisk(d);
    assert.match(store.problems.join('\n'), message, what);
    assert.equal(store.mount().generation, 4, `${what}: the superblock before it`);
  }
});
