// The generations a store disk lists, as `phantom generations` and the studio show them: damage
// is marked with its reason (a damaged record, a parent cycle, a number listed twice, contents
// that are not sound), the generation the kernel resumes from is marked, and the text listing
// says both, as does `phantom generations NAME --json` on a machine's (qcow2) disk.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildSpace } from '@phantom/lang/common/image/builder.js';
import { type ClassSpec, program, systemClasses } from '@phantom/lang/common/interp/assembler.js';
import * as S from '@phantom/lang/common/spec/generated.js';
import { type StoreDisk, storeDiskOf } from '@phantom/lang/common/store/forge.js';
import { writeGeneration0 } from '@phantom/lang/common/store/generation0.js';
import { runPhantom, type TestState, temporaryState } from '../test-support/fixtures.js';
import { formatGenerations, readGenerations } from './generations.js';

const dir = mkdtempSync(join(tmpdir(), 'ph-generations-'));
let state: TestState;
before(async () => {
  state = await temporaryState();
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await state.cleanup();
});

const idle: ClassSpec = {
  name: '.t.Idle',
  fields: [],
  methods: [
    { name: '<init>', argc: 1, code: 'RET_VOID' },
    { name: 'run', argc: 1, returns: true, consts: [], code: 'PUSH_INT 1\nRET' },
  ],
};

/** Generations 0 … `tip` of an idle program, each on the one before. */
function chain(tip = 6): StoreDisk {
  const space = buildSpace(program([...systemClasses(), idle]), {
    spaceBytes: S.SPACE_SIZE_MIN,
    mainClasses: ['.t.Idle'],
  });
  const disk = storeDiskOf(
    writeGeneration0(space, { wallSeconds: 1_800_000_000, diskBytes: 512 * S.BLOCK_SIZE }),
  );
  for (let g = 1; g <= tip; g++)
    disk.appendGeneration(g - 1, new Map([[200, new Uint8Array(S.PAGE_SIZE).fill(g)]]), 1_800_000_000 + g);
  return disk;
}

function save(disk: StoreDisk, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, disk.bytes);
  return path;
}

/** Generations 0 … 6 with every kind of damage the listing marks (see the first test). */
function damagedChain(): StoreDisk {
  const disk = chain(5);
  const header = disk.space(disk.entry(5)!.recordBlock).slice(0, S.PAGE_SIZE);
  new DataView(header.buffer).setUint32(S.SH_ROOT, S.SPACE_BASE + 8 + S.REF_TAG, true);
  disk.appendGeneration(5, new Map([[0, header]]), 1_800_000_006); // 6: its root refers to no object
  const ix = disk.superblock().indexBlock;
  disk.set32(ix, disk.entry(2)!.at + S.IXE_PARENT, 4); // 2 -> 4 -> 3 -> 2: a cycle
  disk.set32(ix, disk.entry(5)!.at + S.IXE_GEN, 4); // two entries say 4
  disk.sealIndex();
  disk.block(disk.entry(3)!.recordBlock)[500]! ^= 1; // a damaged record
  return disk;
}

test('damaged records, parent cycles, numbers listed twice and unsound contents are marked, with why', () => {
  const store = readGenerations(save(damagedChain(), 'damaged.img'));
  const marks = store.generations.map((g) => [g.number, g.damage?.kind ?? null, g.resumes]);
  assert.deepEqual(marks, [
    [0, null, false],
    [1, null, true],
    [2, 'entry', false],
    [3, 'record', false],
    [4, 'entry', false],
    [4, 'entry', false],
    [6, 'contents', false],
  ]);
  const why = new Map(store.generations.map((g) => [g.number, g.damage?.reason]));
  assert.match(why.get(2)!, /its parent 4 is not older than it/);
  assert.match(why.get(4)!, /listed more than once/);
  assert.match(why.get(3)!, /fails its checksum/);
  assert.match(why.get(6)!, /its object space is not sound: SH_ROOT is not an object with the root's slots/);
  assert.equal(store.resumes, 1);
  assert.equal(store.newest, 6);

  const text = formatGenerations(store).join('\n');
  assert.match(text, /^gen 1 .*resumes here/m);
  assert.match(text, /^gen 2 .*damaged: .*its parent 4 is not older than it/m);
  assert.match(text, /^gen 6 .*damaged: .*not sound/m);
  assert.doesNotMatch(text, /^gen 0 .*damaged/m);
});

test('a store that cannot take a generation, or whose newer index was rejected, says so', () => {
  const disk = chain();
  const slot = disk.currentSlot();
  disk.set32(slot, S.SB_NEWEST_GEN, S.NO_GENERATION - 1);
  disk.sealSuperblock(slot);
  disk.set32(1 - slot, S.SB_BLOCK_COUNT, 0x7fffffff); // the older slot names a disk larger than this one
  disk.sealSuperblock(1 - slot);
  const store = readGenerations(save(disk, 'exhausted.img'));
  assert.equal(store.resumes, 6);
  assert.ok(store.problems.some((p) => /no generation number is left: the machine stops/.test(p)));
  assert.ok(
    store.problems.some((p) => /the store has 2147483647 blocks, the disk only 512 \(cut short\?\)/.test(p)),
  );
  assert.match(formatGenerations(store).join('\n'), /no generation number is left/);
});

test('a listing for a poll reads only what it needs: no resumption, no damage from pages', () => {
  const disk = chain();
  disk.block(disk.pageOf(disk.entry(6)!.recordBlock, 200).block)[0]! ^= 1;
  const path = save(disk, 'page.img');
  const listing = readGenerations(path, 'listing');
  assert.equal(listing.resumes, null);
  assert.equal(listing.newest, 6);
  assert.ok(listing.generations.every((g) => g.damage === null && !g.resumes));
  const walked = readGenerations(path);
  assert.equal(walked.resumes, 5);
  assert.equal(walked.generations.at(-1)!.damage?.kind, 'page');
});

test('phantom generations --json on a machine carries the damage and the generation it resumes from', async () => {
  const imagePath = save(damagedChain(), 'machine.img');
  await state.machines.create('damaged', { imagePath }); // its disk: a qcow2 copy
  const env = { ...process.env, PHANTOM_STATE_DIR: state.root };
  const listed = await runPhantom(['generations', 'damaged', '--json'], env);
  assert.equal(listed.code, 0, listed.stderr);
  const generations = JSON.parse(listed.stdout) as {
    number: number;
    damage: { kind: string; reason: string } | null;
    resumes: boolean;
  }[];
  assert.deepEqual(
    generations.map((g) => [g.number, g.damage?.kind ?? null, g.resumes]),
    [
      [0, null, false],
      [1, null, true],
      [2, 'entry', false],
      [3, 'record', false],
      [4, 'entry', false],
      [4, 'entry', false],
      [6, 'contents', false],
    ],
  );
  assert.match(generations.at(-1)!.damage!.reason, /its object space is not sound/);
  const text = await runPhantom(['generations', 'damaged'], env);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^gen 3 .*damaged: .*fails its checksum/m);
  assert.match(text.stdout, /^gen 1 .*resumes here/m);
});
