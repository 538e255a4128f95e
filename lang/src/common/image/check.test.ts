// The space check (check.ts) on spaces the image builder makes, and on each kind of damage the
// kernel's space_validate names: the same first problem, in the same words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClassSpec, program, systemClasses } from '../interp/assembler.js';
import * as L from '../spec/generated.js';
import { buildSpace } from './builder.js';
import { checkSpace } from './check.js';
import { Space } from './space.js';

const idle: ClassSpec = {
  name: '.t.Idle',
  fields: ['next'],
  methods: [
    { name: '<init>', argc: 1, code: 'RET_VOID' },
    { name: 'run', argc: 1, returns: true, consts: [], code: 'PUSH_INT 1\nRET' },
  ],
};

const sound = (): Uint8Array =>
  buildSpace(program([...systemClasses(), idle]), { spaceBytes: L.SPACE_SIZE_MIN, mainClasses: ['.t.Idle'] });

/** The space after `edit` (on a Space over it), and what the check says of it. */
function checkAfter(edit: (s: Space, bytes: Uint8Array) => void): string | undefined {
  const bytes = sound();
  edit(new Space(bytes), bytes);
  return checkSpace(bytes);
}

const hex8 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

test('a space the builder makes is sound, and the check leaves it as it was', () => {
  const bytes = sound();
  const before = bytes.slice();
  assert.equal(checkSpace(bytes), undefined);
  assert.deepEqual(bytes, before);
});

test('a damaged header, object or list is named as the kernel names it', () => {
  const first = L.SPACE_BASE + L.SPACE_HEADER_BYTES;
  const at = (addr: number) => (addr - L.SPACE_BASE) >> 2;
  assert.equal(
    checkAfter((s) => s.words.set([0x1234], L.SH_MAGIC >> 2)),
    'not an object space (bad SH_MAGIC)',
  );
  assert.equal(
    checkAfter((s) => s.words.set([7], L.SH_VERSION >> 2)),
    'object space has an unknown format version',
  );
  assert.equal(
    checkAfter((s) => s.words.set([L.SPACE_SIZE_MIN + 1], L.SH_SIZE >> 2)),
    'SH_SIZE out of range',
  );
  assert.equal(
    checkAfter((s) => s.words.set([2 * L.SPACE_SIZE_MIN], L.SH_SIZE >> 2)),
    'SH_SIZE is larger than the mapped region',
  );
  assert.equal(
    checkAfter((s) => s.words.set([L.SPACE_BASE + 2], L.SH_TOP >> 2)),
    'SH_TOP out of range',
  );
  assert.equal(
    checkAfter((s) => s.words.set([99], at(first + L.HDR_FLAGS))),
    `bad object kind or class word (object at ${hex8(first)})`,
  );
  assert.equal(
    checkAfter((s) => s.words.set([0x10001], at(first + L.HDR_FLAGS))),
    undefined,
    'a birth stamp in bits 16..31 is part of a sound header',
  );
  assert.equal(
    checkAfter((s) => s.words.set([L.SPACE_BASE + L.SPACE_SIZE_MIN - 4096 + 1], L.SH_ROOT >> 2)),
    "SH_ROOT is not an object with the root's slots",
  );
  // A reference into the middle of the root: not an object start.
  const dangling = checkAfter((s) => {
    const root = s.headerField(L.SH_ROOT);
    s.setSlot(root, L.ROOT_THREADS, root + 4);
  });
  assert.match(
    dangling ?? '',
    /^(slot holds a reference to no object|ROOT_THREADS list holds something that is not a thread) \(object at 0x[0-9a-f]{8}\)$/,
  );
  // A free list that points at itself.
  assert.match(
    checkAfter((s) => s.words.set([first], L.SH_FREE >> 2)) ?? '',
    /^SH_FREE list holds something that is not a free block \(object at 0x[0-9a-f]{8}\)$/,
  );
  // The thread list closed into a cycle.
  assert.equal(
    checkAfter((s) => {
      const root = s.headerField(L.SH_ROOT);
      const thread = s.slot(root, L.ROOT_THREADS);
      s.setSlot(thread, L.THREAD_NEXT, thread);
    }),
    'ROOT_THREADS list has a cycle',
  );
});

test('SH_SIZE must be the size of the space, and marks are cleared whatever the answer', () => {
  const bytes = new Uint8Array(2 * L.SPACE_SIZE_MIN);
  bytes.set(sound());
  assert.equal(checkSpace(bytes), 'SH_SIZE is not the size of the space');
  const broken = sound();
  const s = new Space(broken);
  const root = s.headerField(L.SH_ROOT);
  s.setSlot(root, L.ROOT_THREADS, 3); // a reference to address 2: no object
  const before = broken.slice();
  assert.notEqual(checkSpace(broken), undefined);
  assert.deepEqual(broken, before);
});
