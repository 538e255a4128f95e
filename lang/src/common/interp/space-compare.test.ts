// compareSpaces tells the same machine from a different one: equal spaces, and spaces that differ
// only where nothing reads (garbage, free blocks' payloads, above SH_TOP), compare equal; a
// changed header word, block header, free-list link or reachable payload is reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Space } from '../image/space.js';
import * as L from '../spec/generated.js';
import { Heap } from './heap.js';
import { compareSpaces } from './space-compare.js';

/** A space whose root (an array) holds a live string and a live array; a dead array and a free block follow. */
function sample(): { space: Space; live: number; text: number; dead: number; freed: number } {
  const space = Space.create(L.SPACE_SIZE_MIN);
  const heap = new Heap(space);
  const root = heap.allocate(0, L.KIND_SLOTS, 8);
  space.setHeaderField(L.SH_ROOT, root);
  const text = heap.allocate(0, L.KIND_BYTES, 5);
  space.bytes.set(Space.encode('hello'), space.payloadOffset(text));
  const live = heap.allocate(0, L.KIND_SLOTS, 12);
  space.setSlot(root, 0, text);
  space.setSlot(root, 1, live);
  space.setSlot(live, 2, 42 << 1);
  const freed = heap.allocate(0, L.KIND_SLOTS, 16);
  heap.allocate(0, L.KIND_SLOTS, 0); // keeps the freed block off SH_TOP
  const dead = heap.allocate(0, L.KIND_SLOTS, 8);
  space.setSlot(live, 0, heap.allocate(0, L.KIND_SLOTS, 0)); // the last object stays live
  heap.free(freed);
  space.setSlot(dead, 1, 7 << 1);
  return { space, live, text, dead, freed };
}

const copy = (space: Space): Uint8Array => space.bytes.slice();
const words = (bytes: Uint8Array) => new Int32Array(bytes.buffer);
const index = (ref: number) => (ref - 1 - L.SPACE_BASE) >> 2;

test('the same space, and one that differs only where nothing reads, is the same machine', () => {
  const { space, dead, freed } = sample();
  assert.deepEqual(compareSpaces(space.bytes, copy(space)), []);
  const other = copy(space);
  words(other)[index(dead) + 3 + 1] = 99 << 1; // garbage
  words(other)[index(freed) + 3 + 2] = 0x0badbeef; // a free block's payload past its link
  other[other.length - 1] = 1; // above SH_TOP
  assert.deepEqual(compareSpaces(space.bytes, other), []);
});

test('a header word, a block header, a free link or a reachable payload that differs is reported', () => {
  const { space, live, text, freed } = sample();
  const cases: [string, (w: Int32Array, b: Uint8Array) => void, RegExp][] = [
    ['SH_OBJECTS', (w) => w[L.SH_OBJECTS >> 2]!++, /space header at byte 24/],
    ['a block size', (w) => (w[index(live) + 1] = 16), /block at 0x[0-9a-f]+: header word 1/],
    ['a free link', (w) => (w[index(freed) + 3] = 0x40000101), /free block at .*: next/],
    [
      'a reachable slot',
      (w) => (w[index(live) + 3 + 2] = 43 << 1),
      /at 0x[0-9a-f]+: slot 2 0x00000054 vs 0x00000056/,
    ],
    ['a reachable string byte', (_, b) => (b[space.payloadOffset(text) + 4] = 0x21), /bytes word 1/],
  ];
  for (const [what, change, expected] of cases) {
    const other = copy(space);
    change(words(other), other);
    const differences = compareSpaces(space.bytes, other);
    assert.equal(differences.length, 1, `${what}: ${differences.join('; ')}`);
    assert.match(differences[0]!, expected, what);
  }
  assert.deepEqual(compareSpaces(space.bytes, new Uint8Array(2 * L.SPACE_SIZE_MIN)), [
    `sizes differ: ${L.SPACE_SIZE_MIN} vs ${2 * L.SPACE_SIZE_MIN} bytes`,
  ]);
});
