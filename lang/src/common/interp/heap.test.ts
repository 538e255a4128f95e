// The allocator and collector on a hand-built space, step by step as the kernel's (the model of
// kernel-src/docs/vm.md): free blocks coalesce and are listed large first, each group in address
// order, 12-byte holes stay unlisted until a neighbour dies, allocation takes exact fits and splits
// larger blocks, tries a few blocks before it bumps, counts SH_GC_ALLOWANCE down, and cycles and
// objects reachable only through temporary roots behave.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Space } from '../image/space.js';
import * as L from '../spec/generated.js';
import { Heap } from './heap.js';

/** A space whose root is an array of `rootSlots` slots; class words are a fake (the array itself). */
function setup(rootSlots: number): { space: Space; heap: Heap; root: number } {
  const space = Space.create(L.SPACE_SIZE_MIN);
  const heap = new Heap(space);
  const root = heap.allocate(0, L.KIND_SLOTS, 4 * rootSlots);
  space.setHeaderField(L.SH_ROOT, root);
  return { space, heap, root };
}

/** The free list as [address, total bytes] pairs. */
function freeList(space: Space): [number, number][] {
  const list: [number, number][] = [];
  for (let a = space.headerField(L.SH_FREE); a !== 0; a = space.words[((a - L.SPACE_BASE) >> 2) + 3]! >>> 0) {
    list.push([a, L.HEADER_BYTES + space.words[((a - L.SPACE_BASE) >> 2) + 1]!]);
  }
  return list;
}

test('dead neighbours coalesce into one listed block; a lone 12-byte hole stays unlisted', () => {
  const { space, heap, root } = setup(4);
  const a = heap.allocate(0, L.KIND_SLOTS, 8); // 20 bytes
  heap.allocate(0, L.KIND_SLOTS, 8); // b, 20 bytes
  const keep1 = heap.allocate(0, L.KIND_SLOTS, 0);
  const empty = heap.allocate(0, L.KIND_SLOTS, 0); // 12 bytes
  const keep2 = heap.allocate(0, L.KIND_BYTES, 3); // 16 bytes
  space.setSlot(root, 0, keep1);
  space.setSlot(root, 1, keep2);
  const stats = heap.collect();
  assert.equal(stats.liveObjects, 3);
  assert.deepEqual(freeList(space), [[a - 1, 40]], 'a and b merged; the 12-byte hole is not listed');
  assert.equal(space.kindOf(empty), L.KIND_FREE);
  assert.equal(space.payloadBytes(empty), 0);
  assert.equal(space.headerField(L.SH_OBJECTS), 3);
  // When keep1 dies too, the hole merges with it and its neighbours' run.
  space.setSlot(root, 0, 0);
  heap.collect();
  assert.deepEqual(freeList(space), [[a - 1, 40 + 12 + 12]]);
});

test('allocation takes an exact fit whole, splits a larger block, and skips blocks it cannot split', () => {
  const { space, heap, root } = setup(2);
  const big = heap.allocate(0, L.KIND_SLOTS, 88); // 100 bytes
  const keep = heap.allocate(0, L.KIND_SLOTS, 0);
  space.setSlot(root, 0, keep);
  heap.collect();
  assert.deepEqual(freeList(space), [[big - 1, 100]]);
  const first = heap.allocate(0, L.KIND_SLOTS, 8); // 20 bytes: split, 80 left
  assert.equal(first, big);
  assert.deepEqual(freeList(space), [[big - 1 + 20, 80]]);
  assert.ok(
    new Int32Array(space.bytes.buffer, first - 1 - L.SPACE_BASE + 12, 2).every((v) => v === 0),
    'zeroed',
  );
  const top = space.headerField(L.SH_TOP);
  const odd = heap.allocate(0, L.KIND_SLOTS, 60); // 72 bytes would leave 8: cannot split, bump instead
  assert.equal(odd - 1, top);
  const exact = heap.allocate(0, L.KIND_SLOTS, 68); // 80 bytes: the exact fit
  assert.equal(exact, big + 20);
  assert.deepEqual(freeList(space), []);
});

test('cycles are collected; temporary roots and class words keep objects alive', () => {
  const { space, heap, root } = setup(1);
  const x = heap.allocate(0, L.KIND_SLOTS, 4);
  const y = heap.allocate(0, L.KIND_SLOTS, 4);
  space.setSlot(x, 0, y);
  space.setSlot(y, 0, x);
  const cls = heap.allocate(0, L.KIND_SLOTS, 4);
  const instance = heap.allocate(cls, L.KIND_SLOTS, 0);
  const pinned = heap.allocate(0, L.KIND_BYTES, 5);
  space.setSlot(root, 0, instance);
  heap.tempRoots.push(pinned);
  heap.collect();
  assert.equal(space.kindOf(x), L.KIND_FREE);
  assert.equal(space.kindOf(cls), L.KIND_SLOTS, 'reachable through the header of a live instance');
  assert.equal(space.kindOf(pinned), L.KIND_BYTES);
  heap.tempRoots.length = 0;
  heap.collect();
  assert.equal(
    space.headerField(L.SH_TOP),
    pinned - 1,
    'the last object died: its bytes go back to the bump region',
  );
});

test('allocation fails with 0 only when the space is full even after a collection', () => {
  const { space, heap, root } = setup(1);
  let chain = 0;
  let count = 0;
  for (;;) {
    const node = heap.allocate(0, L.KIND_SLOTS, 4);
    if (node === 0) break;
    space.setSlot(node, 0, chain);
    chain = node;
    space.setSlot(root, 0, chain);
    count++;
  }
  assert.ok(count > 40_000, `${count} nodes of 16 bytes fit in 1 MiB`);
  assert.ok(heap.collections >= 1);
  space.setSlot(root, 0, 0);
  assert.notEqual(heap.allocate(0, L.KIND_SLOTS, 4), 0, 'after dropping the chain there is room again');
});

test('allocation tries FREE_SCAN_QUICK blocks, then bumps, and scans the whole list only when the bump fails', () => {
  const { space, heap, root } = setup(1);
  const keep = heap.allocate(0, L.KIND_SLOTS, 4 * 64);
  space.setSlot(root, 0, keep);
  const holes: number[] = [];
  for (let i = 0; i < 40; i++) {
    holes.push(heap.allocate(0, L.KIND_SLOTS, i === L.FREE_SCAN_QUICK + 3 ? 28 : 8)); // 40 bytes, else 20
    space.setSlot(keep, i, heap.allocate(0, L.KIND_SLOTS, 0));
  }
  heap.collect();
  assert.equal(freeList(space).length, 40);
  const top = space.headerField(L.SH_TOP);
  const bumped = heap.allocate(0, L.KIND_SLOTS, 28);
  assert.equal(bumped - 1, top, 'the only 40-byte hole is beyond the quick scan');
  space.setSlot(keep, 62, bumped);
  const rest = L.SPACE_BASE + space.size - space.headerField(L.SH_TOP) - L.HEADER_BYTES;
  space.setSlot(keep, 63, heap.allocate(0, L.KIND_BYTES, rest));
  assert.equal(space.headerField(L.SH_TOP), L.SPACE_BASE + space.size, 'the bump region is used up');
  const collections = heap.collections;
  assert.equal(heap.allocate(0, L.KIND_SLOTS, 28), holes[L.FREE_SCAN_QUICK + 3]);
  assert.equal(heap.collections, collections, 'found by the whole scan, no collection needed');
});

test('a collection lists free blocks of FREE_BLOCK_LARGE bytes and more first', () => {
  const { space, heap, root } = setup(3);
  const large = L.FREE_BLOCK_LARGE - L.HEADER_BYTES;
  const big1 = heap.allocate(0, L.KIND_BYTES, large);
  space.setSlot(root, 0, heap.allocate(0, L.KIND_SLOTS, 0));
  const small = heap.allocate(0, L.KIND_SLOTS, 88);
  space.setSlot(root, 1, heap.allocate(0, L.KIND_SLOTS, 0));
  const big2 = heap.allocate(0, L.KIND_BYTES, large + 4);
  space.setSlot(root, 2, heap.allocate(0, L.KIND_SLOTS, 0));
  heap.collect();
  assert.deepEqual(freeList(space), [
    [big1 - 1, L.FREE_BLOCK_LARGE],
    [big2 - 1, L.FREE_BLOCK_LARGE + 4],
    [small - 1, 100],
  ]);
});

test('SH_GC_ALLOWANCE: 0 collects at the next allocation, allocations count it down, a collection refills it', () => {
  const space = Space.create(L.SPACE_SIZE_MIN);
  const heap = new Heap(space);
  assert.equal(space.headerField(L.SH_GC_ALLOWANCE), 0, 'a new space');
  const root = heap.allocate(0, L.KIND_SLOTS, 4);
  space.setHeaderField(L.SH_ROOT, root);
  assert.equal(heap.collections, 1);
  assert.equal(space.headerField(L.SH_GC_ALLOWANCE), L.GC_BUDGET_MIN - 16);
  heap.allocate(0, L.KIND_SLOTS, 8);
  assert.equal(space.headerField(L.SH_GC_ALLOWANCE), L.GC_BUDGET_MIN - 16 - 20);
  space.setHeaderField(L.SH_GC_ALLOWANCE, 10);
  heap.allocate(0, L.KIND_SLOTS, 4);
  assert.equal(space.headerField(L.SH_GC_ALLOWANCE), 0, 'it stops at 0');
  assert.equal(heap.collections, 1);
  heap.allocate(0, L.KIND_SLOTS, 4);
  assert.equal(heap.collections, 2, 'spent: the next allocation collects first');
  assert.equal(space.headerField(L.SH_GC_ALLOWANCE), L.GC_BUDGET_MIN - 16);
});

test('free gives an object back to the head of the free list at once', () => {
  const { space, heap, root } = setup(1);
  const x = heap.allocate(0, L.KIND_SLOTS, 8);
  space.setSlot(root, 0, heap.allocate(0, L.KIND_SLOTS, 0));
  const objects = space.headerField(L.SH_OBJECTS);
  const live = space.headerField(L.SH_LIVE_BYTES);
  heap.free(x);
  assert.deepEqual(freeList(space), [[x - 1, 20]]);
  assert.equal(space.headerField(L.SH_OBJECTS), objects - 1);
  assert.equal(space.headerField(L.SH_LIVE_BYTES), live - 20);
  assert.equal(heap.allocate(0, L.KIND_SLOTS, 8), x, 'and the next allocation of its size takes it');
});

test('objects carry the epoch they were born in; loading and newEpoch open the next one', () => {
  const { space, heap, root } = setup(2);
  const epoch = () => space.words[L.SH_EPOCH >> 2]!;
  const stamp = (ref: number) => space.words[((ref - 1 - L.SPACE_BASE) >> 2) + 2]! >>> L.STAMP_SHIFT;
  // The first allocation after the space was loaded opened epoch 1 (the space phc writes has 0).
  assert.equal(epoch(), 1);
  assert.equal(stamp(root), 1);
  const a = heap.allocate(0, L.KIND_SLOTS, 4);
  assert.equal(stamp(a), 1);
  heap.newEpoch();
  assert.equal(epoch(), 1, 'nothing changes until the next allocation');
  const b = heap.allocate(0, L.KIND_SLOTS, 4);
  assert.equal(epoch(), 2);
  assert.equal(stamp(b), 2);
  // Freed and allocated again at the same address after a capture: a different stamp.
  heap.free(b);
  heap.newEpoch();
  const c = heap.allocate(0, L.KIND_SLOTS, 4);
  assert.equal(c, b, 'the address is reused');
  assert.equal(stamp(c), 3);
  // The collector keeps stamps (it only sets and clears the mark bit).
  space.words[(root - 1 - L.SPACE_BASE + L.HEADER_BYTES) >> 2] = a;
  heap.collect();
  assert.equal(stamp(a), 1);
});
