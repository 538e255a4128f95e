// store-agree.mjs — the store differential. Real stores are made by the hosted kernel (`phc
// image`, then `phrun --snapshot` with rollbacks: many generations and branches, disks roomy and
// tight), damaged in every way the format allows (lang's forge.ts: fields changed with their
// checksums recomputed or not, blocks swapped, copied, zeroed, the disk cut short, parents
// rewired, numbers duplicated, object spaces made unsound behind valid checksums), and mounted
// by three readers: `phstore info` and `phrun` (the kernel's store code, hosted, mounting as the
// kernel boots) and lang's reader (lang/src/common/store/reader.ts). They must choose the same
// generation or refuse for the same reason, list the same generations, and agree on what is
// damaged ("Which generation a store mounts" in lang/docs/store-format.md says what each side
// checks). store-agree.test.mjs runs a few hundred cases in `npm test`; the soak
// (../store-agree.mjs, `npm run soak:store`) runs thousands and writes a table.
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as S from '@phantom/lang/common/spec/generated.js';
import { crc32c } from '@phantom/lang/common/store/crc32c.js';
import { StoreDisk } from '@phantom/lang/common/store/forge.js';
import { openStore } from '@phantom/lang/common/store/reader.js';
import { StoreError } from '@phantom/lang/common/store/blocks.js';
import { kernelDir } from '../qemu.mjs';

export const PHSTORE = join(kernelDir, 'build', 'hosted', 'phstore');
export const PHRUN = join(kernelDir, 'build', 'hosted', 'phrun');
const PHC = join(kernelDir, '..', 'lang', 'bin', 'phc.mjs');

/** Builds the hosted tools the differential runs (make skips what is up to date). */
export function buildTools() {
  const made = spawnSync('make', ['-s', '-C', kernelDir, 'build/hosted/phstore', 'build/hosted/phrun'], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`make of the hosted tools failed:\n${made.stdout}${made.stderr}`);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'latin1', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r;
}

/** run, without waiting: resolves to { status, stdout, stderr }. */
function runAsync(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'latin1', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ status: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** The generations `phstore info` lists: number → uptime_ms (for rollbacks). */
function uptimes(path) {
  const out = run(PHSTORE, ['info', path]).stdout;
  const table = new Map();
  for (const m of out.matchAll(/^\s*(\d+)\s+(?:\d+|-)\s+\d+\s+(\d+)\s/gm)) table.set(Number(m[1]), Number(m[2]));
  return table;
}

/**
 * The corpus: each recipe is a program, a space and disk size, and runs of phrun: the first from
 * the newest generation, each later one a rollback to a generation of the runs before it (a
 * branch), `ms` more of machine time with a commit every `every` ms.
 */
export const RECIPES = [
  {
    name: 'counter, three branches',
    source: join(kernelDir, '..', 'lang', 'examples', 'counter.ph'),
    main: '.demo.counter',
    space: 4 << 20,
    blocks: 600,
    runs: [
      { ms: 2400, every: 100 },
      { from: 10, ms: 800, every: 100 },
      { from: 20, ms: 500, every: 100 },
    ],
  },
  {
    name: 'powercut workers, two branches',
    source: join(kernelDir, 'tests', 'lib', 'powercut.ph'),
    main: '.test.powercut',
    space: 2 << 20,
    blocks: 500,
    runs: [
      { ms: 3000, every: 150 },
      { from: 8, ms: 900, every: 150 },
    ],
  },
  {
    name: 'powercut workers on a tight disk (generations dropped to make room)',
    source: join(kernelDir, 'tests', 'lib', 'powercut.ph'),
    main: '.test.powercut',
    space: 2 << 20,
    blocks: 200,
    runs: [
      { ms: 3000, every: 50 },
      { from: -6, ms: 400, every: 50 },
    ],
  },
  {
    name: 'counter, a long history (an index of several leaves)',
    source: join(kernelDir, '..', 'lang', 'examples', 'counter.ph'),
    main: '.demo.counter',
    space: 1 << 20,
    blocks: 4000,
    // The counter changes its space once a tick (100 ms); between ticks it sleeps and its space
    // does not change (machine time is written once a second while idle), so a tick a generation.
    runs: [
      { ms: 35000, every: 10, keep: 2000 },
      { from: 300, ms: 600, every: 10, keep: 2000 },
    ],
  },
  {
    name: 'notes, ended',
    source: join(kernelDir, '..', 'lang', 'examples', 'notes.ph'),
    main: '.demo.notes',
    space: 1 << 20,
    blocks: 150,
    runs: [{ ms: 3000, every: 200 }],
  },
];

/** Makes the corpus in `dir`: one store file per recipe, with what its runs committed. */
export function buildCorpus(dir) {
  return RECIPES.map((recipe, i) => {
    const path = join(dir, `corpus-${i}.img`);
    const made = run(process.execPath, [
      PHC, 'image', recipe.source, '--main', recipe.main, '--space-bytes', String(recipe.space),
      '--disk-bytes', String(recipe.blocks * S.BLOCK_SIZE), '-o', path,
    ]);
    if (made.status !== 0) throw new Error(`phc image ${recipe.source}: ${made.stderr}`);
    for (const step of recipe.runs) {
      const kept = uptimes(path);
      const numbers = [...kept.keys()];
      const from = step.from === undefined ? Math.max(...numbers) : step.from < 0 ? numbers.at(step.from) : step.from;
      if (!kept.has(from)) throw new Error(`${recipe.name}: generation ${from} is not kept to roll back to`);
      const args = ['--virtual-clock', '--snapshot', String(step.every), '--max-ms', String(kept.get(from) + step.ms)];
      if (step.from !== undefined) args.push('--gen', String(from));
      if (step.keep !== undefined) args.push('--keep', String(step.keep));
      const ran = run(PHRUN, [...args, path]);
      if (ran.status !== 0 && !/STORE_ENOSPACE/.test(ran.stderr)) throw new Error(`phrun ${args.join(' ')}: ${ran.stderr}`);
    }
    return { name: recipe.name, path, bytes: new Uint8Array(readFileSync(path)) };
  });
}

// ── damage ──

/** xorshift32: every case is reproducible from its seed. */
export function random(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const below = (n) => (n <= 0 ? 0 : next() % n);
  return { next, below, pick: (list) => list[below(list.length)], chance: (p) => next() / 2 ** 32 < p };
}

/** Every block a store uses, by role, over both superblock slots' indexes. */
function blocksInUse(d) {
  const meta = new Set([0, 1]);
  const records = new Set();
  const maps = new Set();
  const pages = new Set();
  for (const slot of [0, 1]) {
    const ix = d.superblock(slot).indexBlock;
    if (ix <= 1 || ix >= d.blockCount) continue;
    meta.add(ix);
    for (const leaf of d.leaves(slot)) meta.add(leaf);
    for (const e of d.entries(slot)) {
      if (e.recordBlock < 2 || e.recordBlock >= d.blockCount) continue;
      records.add(e.recordBlock);
      for (let j = 0; j < d.mapBlockCount(e.recordBlock); j++) {
        const m = d.mapRef(e.recordBlock, j).block;
        if (m < 2 || m >= d.blockCount || maps.has(m)) continue;
        maps.add(m);
        for (let k = 0; k < S.PME_PER_BLOCK; k++) {
          const p = d.pageRef(m, k).block;
          if (p >= 2 && p < d.blockCount) pages.add(p);
        }
      }
    }
  }
  return { meta: [...meta], records: [...records], maps: [...maps], pages: [...pages] };
}

const interesting = (r, d, around) =>
  r.pick([0, 1, 2, 3, around - 1, around + 1, 0x7fffffff, 0xffffffff, 0xfffffffe, d.blockCount, d.blockCount + 1, r.next()]) >>>
  0;

/** The objects of a space (their addresses), walked from the first object to SH_TOP as far as headers allow. */
function objectsOf(space) {
  const dv = new DataView(space.buffer, space.byteOffset, space.byteLength);
  const top = dv.getUint32(S.SH_TOP, true) - S.SPACE_BASE;
  const out = [];
  for (let off = S.SPACE_HEADER_BYTES; off + S.HEADER_BYTES <= Math.min(top, space.length) && out.length < 100_000; ) {
    out.push(off);
    // Plain arithmetic, not `& ~3`: a size an earlier damage set near 2^32 must end the walk, not
    // wrap to a negative offset.
    off += S.HEADER_BYTES + Math.ceil(dv.getUint32(off + S.HDR_SIZE, true) / 4) * 4;
  }
  return out;
}

/** Rewrites one page of generation `e` (index entry) in place and reseals the chain above it. */
function rewritePage(d, e, page, bytes) {
  const { block } = d.pageOf(e.recordBlock, page);
  if (block < 2 || block >= d.blockCount) return false;
  d.put(block, bytes);
  d.sealPage(e.position, page);
  return true;
}

/** Ways to make a generation's object space unsound (or not) behind valid checksums: issue 14, item 8. */
const CONTENTS = {
  'space header field': (r, space, dv) => {
    const field = r.pick([S.SH_MAGIC, S.SH_VERSION, S.SH_SIZE, S.SH_ROOT, S.SH_TOP, S.SH_FREE, S.SH_OBJECTS]);
    const now = dv.getUint32(field, true);
    dv.setUint32(field, r.pick([0, 1, now + 4, now - 4, now + 1, now ^ (1 << r.below(32)), S.SPACE_BASE + space.length]) >>> 0, true);
    return `space header word ${field}`;
  },
  'object header': (r, space, dv) => {
    const objects = objectsOf(space);
    if (objects.length === 0) return undefined;
    const off = r.pick(objects);
    const field = r.pick([S.HDR_CLASS, S.HDR_SIZE, S.HDR_FLAGS]);
    const now = dv.getUint32(off + field, true);
    dv.setUint32(off + field, r.pick([0, 1, 3, now + 4, now ^ (1 << r.below(32)), 0x10001, now | S.FLAG_MARK]) >>> 0, true);
    return `header word ${field} of the object at 0x${(S.SPACE_BASE + off).toString(16)}`;
  },
  'dangling reference': (r, space, dv) => {
    const objects = objectsOf(space).filter(
      (off) => (dv.getUint32(off + S.HDR_FLAGS, true) & S.FLAG_KIND_MASK) === S.KIND_SLOTS && dv.getUint32(off + S.HDR_SIZE, true) >= 4,
    );
    if (objects.length === 0) return undefined;
    const off = r.pick(objects);
    const slot = r.below(dv.getUint32(off + S.HDR_SIZE, true) >>> 2);
    const target = r.pick([S.SPACE_BASE + off + 4, S.SPACE_BASE + space.length - 8, 0, S.SPACE_BASE + r.below(space.length) * 1]);
    dv.setUint32(off + S.HEADER_BYTES + 4 * slot, (target + S.REF_TAG) >>> 0, true);
    return `slot ${slot} of the object at 0x${(S.SPACE_BASE + off).toString(16)}`;
  },
  'dangling root': (r, space, dv) => {
    dv.setUint32(S.SH_ROOT, r.pick([S.SPACE_BASE + space.length - 4096 + 1, 1, dv.getUint32(S.SH_ROOT, true) + 4]) >>> 0, true);
    return 'SH_ROOT';
  },
  'list cycle': (r, space, dv) => {
    const root = dv.getUint32(S.SH_ROOT, true) - S.REF_TAG - S.SPACE_BASE;
    if (root < 0 || root + S.HEADER_BYTES + 4 * (S.ROOT_THREADS + 1) > space.length) return undefined;
    const thread = dv.getUint32(root + S.HEADER_BYTES + 4 * S.ROOT_THREADS, true);
    const at = thread - S.REF_TAG - S.SPACE_BASE + S.HEADER_BYTES + 4 * S.THREAD_NEXT;
    if ((thread & 1) === 0 || at < 0 || at + 4 > space.length) return undefined;
    dv.setUint32(at, thread, true);
    return 'the thread list closed on itself';
  },
};

/**
 * The damage catalogue: each takes the disk and a random source, changes the disk, and returns
 * what it did (undefined when the store offered nothing to do it to).
 */
export const DAMAGE = {
  'bit flipped': (d, r) => {
    const u = blocksInUse(d);
    const block = r.pick([...u.meta, ...u.records, ...u.maps, ...u.pages]);
    const bit = r.below(S.BLOCK_SIZE * 8);
    d.block(block)[bit >> 3] ^= 1 << (bit & 7);
    return `bit ${bit} of block ${block}`;
  },
  'superblock field, resealed': (d, r) => {
    const slot = r.chance(0.7) ? d.currentSlot() : 1 - d.currentSlot();
    const field = r.pick([
      S.SB_SEQ_LO, S.SB_SEQ_HI, S.SB_BLOCK_COUNT, S.SB_SPACE_SIZE, S.SB_INDEX_BLOCK, S.SB_INDEX_CRC,
      S.SB_NEWEST_GEN, S.SB_BLOCK_SIZE, S.SB_SPACE_BASE, S.SB_VERSION, S.SB_FLAGS,
    ]);
    const other = d.u32(1 - slot, field);
    const value = r.chance(0.2) ? other : interesting(r, d, d.u32(slot, field));
    d.set32(slot, field, value);
    d.sealSuperblock(slot);
    return `superblock ${slot ? 'B' : 'A'} word ${field} = ${value}`;
  },
  'index count, resealed': (d, r) => {
    const ix = d.superblock().indexBlock;
    const now = d.u32(ix, S.IX_COUNT);
    const value = r.pick([0, now - 1, now + 1, S.IX_MAX_ENTRIES, S.IX_MAX_ENTRIES + 1, r.next()]) >>> 0;
    d.set32(ix, S.IX_COUNT, value);
    d.sealIndex();
    return `index count ${now} -> ${value}`;
  },
  'index root: a leaf reference, resealed': (d, r) => {
    const ix = d.superblock().indexBlock;
    if (d.u32(ix, S.IR_MAGIC_F) !== S.IR_MAGIC) return undefined;
    const leaves = d.leaves();
    const k = r.below(leaves.length);
    const at = S.IR_LEAVES + 16 * k;
    const u = blocksInUse(d);
    const [field, value] = r.pick([
      () => [S.IRE_BLOCK, r.pick([0, 1, ix, d.blockCount, d.blockCount + 7, 0xffffffff])], // outside, or the root: a cycle
      () => [S.IRE_BLOCK, r.pick(leaves)], // a leaf listed twice
      () => [S.IRE_BLOCK, r.pick([...u.records, ...u.maps, ...u.pages, 2])], // a block that is no leaf
      () => [S.IRE_CRC, r.next()],
      () => [S.IRE_COUNT, r.pick([0, d.u32(ix, at + S.IRE_COUNT) - 1, d.u32(ix, at + S.IRE_COUNT) + 1, S.IX_MAX_ENTRIES + 1, r.next()])],
    ])();
    d.set32(ix, at + field, value >>> 0);
    d.sealRoot();
    return `index root: leaf ${k} word ${field} = ${value >>> 0}`;
  },
  'index root: count or total, resealed': (d, r) => {
    const ix = d.superblock().indexBlock;
    if (d.u32(ix, S.IR_MAGIC_F) !== S.IR_MAGIC) return undefined;
    const field = r.pick([S.IR_COUNT, S.IR_TOTAL]);
    const now = d.u32(ix, field);
    const value = r.pick([0, now - 1, now + 1, S.IR_MAX_LEAVES + 1, S.IX_MAX_GENERATIONS + 1, r.next()]) >>> 0;
    d.set32(ix, field, value);
    d.sealRoot();
    return `index root word ${field}: ${now} -> ${value}`;
  },
  'index leaf changed, its CRC left as it was': (d, r) => {
    const leaves = d.leaves();
    if (leaves.length < 2) return undefined;
    const leaf = r.pick(leaves);
    const at = r.below(S.BLOCK_SIZE);
    d.block(leaf)[at] ^= 1 << r.below(8);
    return `index leaf ${leaf}: a bit of byte ${at} flipped`;
  },
  'index entry, resealed': (d, r) => {
    const entries = d.entries();
    if (entries.length === 0) return undefined;
    const e = r.pick(entries);
    const other = r.pick(entries);
    const u = blocksInUse(d);
    const [field, value] = r.pick([
      () => [S.IXE_GEN, other.generation], // a number listed twice
      () => [S.IXE_GEN, r.pick([S.NO_GENERATION, e.generation + 1000, e.generation + 1, 0])],
      () => [S.IXE_PARENT, other.generation], // rewired: maybe newer, maybe itself
      () => [S.IXE_PARENT, r.pick([S.NO_GENERATION, e.generation, e.generation + 1, e.generation - 1])],
      () => [S.IXE_RECORD, r.pick([other.recordBlock, 0, 1, d.superblock().indexBlock, d.blockCount, r.pick(u.pages) ?? 2])],
      () => [S.IXE_RECORD_CRC, r.next()],
    ])();
    d.set32(e.block, e.at + field, value);
    d.sealIndex();
    return `entry of generation ${e.generation}: word ${field} = ${value >>> 0}`;
  },
  'index entries reordered, resealed': (d, r) => {
    const entries = d.entries();
    if (entries.length < 2) return undefined;
    const a = r.pick(entries);
    const b = r.pick(entries.filter((x) => x !== a));
    const saved = d.block(a.block).slice(a.at, a.at + 16);
    d.block(a.block).set(d.block(b.block).slice(b.at, b.at + 16), a.at);
    d.block(b.block).set(saved, b.at);
    d.sealIndex();
    return `entries of generations ${a.generation} and ${b.generation} swapped`;
  },
  'parent rewired in index and record, resealed': (d, r) => {
    const entries = d.entries().filter((e) => e.recordBlock >= 2 && e.recordBlock < d.blockCount);
    if (entries.length < 2) return undefined;
    const e = r.pick(entries);
    const parent = r.pick([...entries.map((x) => x.generation), S.NO_GENERATION]);
    d.set32(e.recordBlock, S.GEN_PARENT, parent);
    d.set32(e.block, e.at + S.IXE_PARENT, parent);
    d.sealRecord(e.position);
    return `generation ${e.generation} now descends from ${parent >>> 0}`;
  },
  'number duplicated in index and record, resealed': (d, r) => {
    const entries = d.entries().filter((e) => e.recordBlock >= 2 && e.recordBlock < d.blockCount);
    if (entries.length < 2) return undefined;
    const e = r.pick(entries);
    const number = r.pick(entries.filter((x) => x !== e)).generation;
    d.set32(e.recordBlock, S.GEN_NUMBER, number);
    d.set32(e.block, e.at + S.IXE_GEN, number);
    d.sealRecord(e.position);
    return `generation ${e.generation} renumbered ${number}`;
  },
  'record field, resealed': (d, r) => {
    const entries = d.entries().filter((e) => e.recordBlock >= 2 && e.recordBlock < d.blockCount);
    if (entries.length === 0) return undefined;
    const e = r.pick(entries);
    const u = blocksInUse(d);
    const j = r.below(Math.max(1, d.mapBlockCount(e.recordBlock)));
    const gme = S.GEN_MAP + j * 8;
    const [field, value] = r.pick([
      () => [S.GEN_NUMBER, e.generation + 1],
      () => [S.GEN_PARENT, r.pick([S.NO_GENERATION, e.generation, e.parent + 1])],
      () => [S.GEN_SPACE_SIZE, r.pick([0, d.superblock().spaceSize * 2, d.superblock().spaceSize - 4096])],
      () => [S.GEN_MAP_BLOCKS, d.mapBlockCount(e.recordBlock) + r.pick([1, -1])],
      () => [S.GEN_MAGIC_F, 0],
      () => [S.GEN_WALL_LO, r.next()],
      () => [gme + S.GME_BLOCK, r.pick([...u.maps, ...u.records, d.superblock().indexBlock, 0, 1, d.blockCount, r.pick(u.pages) ?? 2])],
      () => [gme + S.GME_CRC, r.next()],
    ])();
    d.set32(e.recordBlock, field, value);
    if (field === gme + S.GME_BLOCK && r.chance(0.7)) {
      // a map block moved somewhere else, with the CRC of what is there: only its contents can tell
      d.set32(e.recordBlock, gme + S.GME_CRC, crcOf(d, value));
    }
    d.sealRecord(e.position);
    return `record of generation ${e.generation}: word ${field} = ${value >>> 0}`;
  },
  'page-map entry, resealed': (d, r) => {
    const entries = d.entries().filter((e) => e.recordBlock >= 2 && e.recordBlock < d.blockCount);
    if (entries.length === 0) return undefined;
    const e = r.pick(entries);
    const pages = d.u32(e.recordBlock, S.GEN_SPACE_SIZE) / S.PAGE_SIZE;
    const maps = d.mapBlockCount(e.recordBlock);
    if (maps === 0 || !Number.isInteger(pages)) return undefined;
    const j = r.below(maps);
    const m = d.mapRef(e.recordBlock, j).block;
    if (m < 2 || m >= d.blockCount) return undefined;
    const k = r.below(S.PME_PER_BLOCK);
    const u = blocksInUse(d);
    const zeroCrc = crc32c(new Uint8Array(S.BLOCK_SIZE));
    const [block, crc, what] = r.pick([
      () => [0, d.pageRef(m, k).crc, 'a zero page keeping the old checksum'],
      () => [0, zeroCrc, 'a zero page'],
      () => {
        const other = r.pick(u.pages) ?? m;
        return [other, crcOf(d, other), `another page's block ${other}`];
      },
      () => [m, crcOf(d, m), 'its own map block'],
      () => {
        const meta = r.pick([...u.records, d.superblock().indexBlock]);
        return [meta, crcOf(d, meta), `metadata block ${meta}`];
      },
      () => [d.superblock().blockCount + r.below(4), r.next(), 'a block outside the store'],
      () => [d.pageRef(m, k).block, r.next(), 'a wrong checksum'],
    ])();
    d.set32(m, k * 8 + S.PME_BLOCK, block);
    d.set32(m, k * 8 + S.PME_CRC, crc);
    d.sealMap(e.position, j);
    return `page ${j * S.PME_PER_BLOCK + k} of generation ${e.generation}: ${what}`;
  },
  'object space unsound behind valid checksums': (d, r) => {
    const entries = d.entries().filter((e) => e.recordBlock >= 2 && e.recordBlock < d.blockCount);
    if (entries.length === 0) return undefined;
    const e = r.chance(0.6) ? entries.at(-1) : r.pick(entries);
    if (d.u32(e.recordBlock, S.GEN_SPACE_SIZE) > 64 << 20 || d.mapBlockCount(e.recordBlock) === 0) return undefined;
    const space = d.space(e.recordBlock);
    if (space.length < S.PAGE_SIZE) return undefined;
    const before = space.slice();
    const dv = new DataView(space.buffer);
    const kind = r.pick(Object.keys(CONTENTS));
    const what = CONTENTS[kind](r, space, dv);
    if (!what) return undefined;
    for (let p = 0; p < space.length / S.PAGE_SIZE; p++) {
      const at = p * S.PAGE_SIZE;
      const page = space.subarray(at, at + S.PAGE_SIZE);
      if (page.some((x, i) => x !== before[at + i]) && !rewritePage(d, e, p, page)) return undefined;
    }
    return `generation ${e.generation}: ${kind}: ${what}`;
  },
  'blocks swapped': (d, r) => {
    const u = blocksInUse(d);
    const all = [...u.meta, ...u.records, ...u.maps, ...u.pages];
    const a = r.pick(all);
    const b = r.pick(all);
    const saved = d.block(a).slice();
    d.put(a, d.block(b));
    d.put(b, saved);
    return `blocks ${a} and ${b} swapped`;
  },
  'block copied over another': (d, r) => {
    const u = blocksInUse(d);
    const from = r.pick([...u.meta, ...u.records, ...u.maps, ...u.pages]);
    const to = r.pick([...u.meta, ...u.records, ...u.maps, ...u.pages]);
    d.put(to, d.block(from).slice());
    return `block ${from} copied over block ${to}`;
  },
  'block zeroed': (d, r) => {
    const u = blocksInUse(d);
    const block = r.pick([...u.meta, ...u.records, ...u.maps, ...u.pages]);
    d.block(block).fill(0);
    return `block ${block} zeroed`;
  },
  'disk cut short': (d, r) => {
    const length = r.chance(0.5) ? r.below(d.blockCount + 1) * S.BLOCK_SIZE : r.below(d.bytes.length);
    d.cut(length);
    return `disk cut to ${length} bytes`;
  },
};

/** The CRC-32C of what block n holds (zeros outside the disk). */
const crcOf = (d, n) => crc32c(d.block(n));

/**
 * A case from its seed: which corpus store, which damage (one to three), which generation asked
 * for (mostly none: the newest), and the newest generation before the damage.
 */
export function makeCase(corpus, seed) {
  const r = random(seed);
  const base = r.pick(corpus);
  const d = new StoreDisk(base.bytes.slice());
  const newest = Math.max(...d.entries().map((e) => e.generation));
  const kinds = Object.keys(DAMAGE);
  const count = r.chance(0.75) ? 1 : 2 + r.below(2);
  const done = [];
  for (let i = 0; i < count * 4 && done.length < count; i++) {
    const kind = r.pick(kinds);
    const what = DAMAGE[kind](d, r);
    if (what) done.push({ kind, what });
  }
  // A damaged entry may carry NO_GENERATION, which marks "none" and cannot be asked for (phrun's
  // --gen and the kernel's gen= refuse it as a number): only real numbers are asked.
  const listed = d.entries().map((e) => e.generation).filter((g) => g !== S.NO_GENERATION);
  const want = r.chance(0.2) ? (r.chance(0.8) && listed.length ? r.pick(listed) : r.below(1000)) : undefined;
  return { seed, base: base.name, disk: d, damage: done, want, newest };
}

// ── the three readers ──

const REFUSALS = {
  STORE_ENOSTORE: 'no-store',
  STORE_EUNSUPPORTED: 'unsupported',
  STORE_EIO: 'unreadable',
  STORE_ENOGEN: 'not-kept',
  STORE_ENOVALID: 'no-valid-generation',
};

/** phstore's damage texts (store.c damage_texts) as the reader's damage kinds. */
const DAMAGE_KINDS = [
  [/^intact$/, undefined],
  [/index entry|listed more than once|parent is not older|record block is outside/, 'entry'],
  [/record/, 'record'],
  [/page-map block/, 'map'],
  [/a page /, 'page'],
  [/object space is not sound/, 'contents'],
];

function kindOf(text) {
  for (const [pattern, kind] of DAMAGE_KINDS) if (pattern.test(text)) return kind;
  throw new Error(`phstore damage text not understood: ${text}`);
}

/** phstore info's answer: the outcome, the generations listed with their damage, each contents verdict. */
function phstoreSaid(stdout, status) {
  const refused = /cannot mount: (STORE_\w+)/.exec(stdout);
  if (refused) return { outcome: `refused: ${REFUSALS[refused[1]] ?? refused[1]}` };
  const mounted = /generations: \d+ kept, mounted (\d+)/.exec(stdout);
  if (!mounted || status !== 0) return { outcome: `phstore failed (exit ${status}): ${stdout.slice(-300)}` };
  const listed = [];
  for (const m of stdout.matchAll(/^\s*(\d+)\s+(?:\d+|-)\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+ {2}(.+)$/gm))
    listed.push({ generation: Number(m[1]), damage: kindOf(m[2]) });
  const unsound = new Map();
  for (const m of stdout.matchAll(/^store: generation (\d+) is damaged: its object space is not sound: (.*); it will not be used$/gm))
    unsound.set(Number(m[1]), m[2]);
  return { outcome: `mounted ${mounted[1]}`, listed, unsound, cannotCommit: /cannot take a new generation/.test(stdout) };
}

/** phrun's answer (the kernel's boot, hosted, its --stats on stderr): the generation it runs, or why it refuses. */
function phrunSaid(stderr, status) {
  const refused = /cannot mount the store: (STORE_\w+)/.exec(stderr);
  if (refused) return `refused: ${REFUSALS[refused[1]] ?? refused[1]}`;
  const generation = /^generation: (.*)$/m.exec(stderr);
  if (generation?.[1].startsWith('none')) return 'refused: no-store'; // no store on it: phrun read it as a raw dump
  if (generation && status === 0) return `mounted ${generation[1]}`;
  return `phrun failed (exit ${status}): ${stderr.slice(-300)}`;
}

const quote = (s) => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * phstore info and phrun on each file, from one shell (a process started from node costs several
 * times one started from sh): the sections of its output, per file.
 */
async function askTools(files) {
  const phrun = (f, want) =>
    `${quote(PHRUN)} --virtual-clock --max-steps 1 --stats ${want === undefined ? '' : `--gen ${want} `}${quote(f.path)} 2>&1 >/dev/null; echo "@@ status $?"`;
  const script = files
    .map((f) =>
      [
        `echo "@@ phstore"; ${quote(PHSTORE)} info ${quote(f.path)}; echo "@@ status $?"`,
        `echo "@@ phrun"; ${phrun(f, f.want)}`,
        ...(f.want === undefined ? [] : [`echo "@@ phrun"; ${phrun(f, undefined)}`]),
        'echo "@@ end"',
      ].join('\n'),
    )
    .join('\n');
  const { stdout } = await runAsync('sh', ['-c', script]);
  return stdout
    .split('@@ end\n')
    .slice(0, files.length)
    .map((section) => {
      const parts = [...section.matchAll(/@@ (phstore|phrun)\n([\s\S]*?)@@ status (\d+)\n/g)];
      const phstore = parts.find((p) => p[1] === 'phstore');
      const phruns = parts.filter((p) => p[1] === 'phrun').map((p) => phrunSaid(p[2], Number(p[3])));
      return {
        phstore: phstore ? phstoreSaid(phstore[2], Number(phstore[3])) : { outcome: 'phstore did not run' },
        phrun: phruns[0] ?? 'phrun did not run',
        phrunNewest: phruns[1] ?? phruns[0] ?? 'phrun did not run',
      };
    });
}

/** lang's reader: the same answers, and the damage its listing and its walk found. */
function readerSays(d, want) {
  let store;
  try {
    store = openStore((b) => d.block(b), d.blockCount);
  } catch (err) {
    if (err instanceof StoreError && err.refusal) return { outcome: `refused: ${err.refusal}`, asked: `refused: ${err.refusal}` };
    throw err;
  }
  const resume = (w) => {
    try {
      return store.resume(w);
    } catch (err) {
      if (err instanceof StoreError && err.refusal) return { refused: err.refusal, skipped: [] };
      throw err;
    }
  };
  const said = (r) =>
    r.refused ? `refused: ${r.refused}` : r.generation === undefined ? 'refused: no-valid-generation' : `mounted ${r.generation}`;
  const newest = resume(undefined);
  const found = new Map(newest.skipped.map((s) => [s.generation, s.damage]));
  const unsound = new Map(
    newest.skipped
      .filter((s) => s.damage === 'contents')
      .map((s) => [s.generation, s.error.replace(/^generation \d+: its object space is not sound: /, '')]),
  );
  return {
    outcome: said(newest),
    asked: want === undefined ? said(newest) : said(resume(want)),
    listed: store.generations.map((g) => ({ generation: g.generation, damage: g.damage ?? found.get(g.generation) })),
    unsound,
    cannotCommit: !store.canTakeGeneration,
  };
}

/** Every way the three answers to case `c` disagree (none: they agree). */
function disagreements(c, phstore, phrun, phrunNewest, reader) {
  const problems = [];
  if (phstore.outcome !== reader.outcome) problems.push(`newest: phstore ${phstore.outcome}, reader ${reader.outcome}`);
  if (phrunNewest !== reader.outcome) problems.push(`newest: phrun ${phrunNewest}, reader ${reader.outcome}`);
  if (c.want !== undefined && phrun !== reader.asked) problems.push(`gen ${c.want}: phrun ${phrun}, reader ${reader.asked}`);
  if (phstore.listed && reader.listed && reader.outcome === phstore.outcome) {
    const numbers = (l) => l.map((g) => g.generation).join(',');
    if (numbers(phstore.listed) !== numbers(reader.listed))
      problems.push(`listed: phstore ${numbers(phstore.listed)}, reader ${numbers(reader.listed)}`);
    else
      phstore.listed.forEach((k, i) => {
        const t = reader.listed[i].damage;
        if (k.damage !== t) problems.push(`generation ${k.generation}: phstore ${k.damage ?? 'intact'}, reader ${t ?? 'intact'}`);
      });
    for (const [g, why] of phstore.unsound)
      if (reader.unsound.get(g) !== why) problems.push(`generation ${g} unsound: phstore "${why}", reader "${reader.unsound.get(g)}"`);
    if (phstore.cannotCommit !== reader.cannotCommit)
      problems.push(`can take a generation: phstore ${!phstore.cannotCommit}, reader ${!reader.cannotCommit}`);
  }
  return problems;
}

/**
 * Runs cases: writes each one's disk to a file in `dir`, asks the three readers, and returns, per
 * case, what they said and every way they disagree (problems: none when they agree).
 */
export async function runCases(cases, dir) {
  const files = cases.map((c, i) => {
    const path = join(dir, `case-${i}.img`);
    writeFileSync(path, c.disk.bytes);
    return { path, want: c.want };
  });
  const tools = askTools(files);
  const readers = cases.map((c) => readerSays(c.disk, c.want));
  return (await tools).map(({ phstore, phrun, phrunNewest }, i) => ({
    phstore: phstore.outcome,
    phrun,
    reader: readers[i].outcome,
    asked: readers[i].asked,
    problems: disagreements(cases[i], phstore, phrun, phrunNewest, readers[i]),
  }));
}
