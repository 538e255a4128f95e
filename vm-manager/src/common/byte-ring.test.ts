import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteRing } from './byte-ring.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

test('keeps everything below capacity, in order', () => {
  const ring = new ByteRing(8);
  ring.append(bytes(1, 2, 3));
  ring.append(bytes(4));
  assert.deepEqual(ring.contents(), bytes(1, 2, 3, 4));
});

test('drops the oldest bytes past capacity, across the wrap', () => {
  const ring = new ByteRing(4);
  ring.append(bytes(1, 2, 3));
  ring.append(bytes(4, 5, 6));
  assert.deepEqual(ring.contents(), bytes(3, 4, 5, 6));
  ring.append(bytes(7));
  assert.deepEqual(ring.contents(), bytes(4, 5, 6, 7));
  assert.equal(ring.size, 4);
});

test('an append bigger than the ring keeps its tail', () => {
  const ring = new ByteRing(3);
  ring.append(bytes(1, 2, 3, 4, 5));
  assert.deepEqual(ring.contents(), bytes(3, 4, 5));
});

test('matches a naive model under random appends', () => {
  const ring = new ByteRing(37);
  let model: number[] = [];
  let seed = 12345;
  for (let i = 0; i < 2000; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const chunk = Array.from({ length: seed % 50 }, (_, k) => (i + k) & 0xff);
    ring.append(Uint8Array.from(chunk));
    model = [...model, ...chunk].slice(-37);
    assert.deepEqual([...ring.contents()], model);
  }
});

test('refuses a capacity that is not a positive integer', () => {
  assert.throws(() => new ByteRing(0), RangeError);
  assert.throws(() => new ByteRing(1.5), RangeError);
});
