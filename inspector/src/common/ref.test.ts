import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRef, parseRef } from './ref.js';

test('references round-trip through their printed form', () => {
  for (const ref of [0, 0x40, 0x1a40, 0xdead_beef, 0xffff_ffff]) assert.equal(parseRef(formatRef(ref)), ref);
  assert.equal(formatRef(0x1a40), '@0x00001a40');
});

test('the accepted spellings, and garbage rejected', () => {
  assert.equal(parseRef('0x1a40'), 0x1a40);
  assert.equal(parseRef(' @1A40 '), 0x1a40);
  for (const bad of ['', '@', '@0x', '0x123456789', '@-1', 'root', '@0x1g'])
    assert.equal(parseRef(bad), undefined, bad);
});
