// Checks CRC-32C against the standard check vector and a bitwise reference, at every alignment.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c, crc32cUpdate } from './crc32c.js';

function bitwiseCrc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

test('crc32c("123456789") is the check value 0xE3069283', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
});

test('crc32c of nothing is 0, and of 4096 zero bytes matches the bitwise definition', () => {
  assert.equal(crc32c(new Uint8Array(0)), 0);
  const zeros = new Uint8Array(4096);
  assert.equal(crc32c(zeros), bitwiseCrc32c(zeros));
});

test('slicing-by-8 agrees with the bitwise definition for every length and offset', () => {
  const bytes = new Uint8Array(300);
  let seed = 12345;
  for (let i = 0; i < bytes.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    bytes[i] = seed >>> 24;
  }
  for (let start = 0; start < 9; start++) {
    for (let end = start; end <= bytes.length; end += 7) {
      assert.equal(crc32c(bytes, start, end), bitwiseCrc32c(bytes.subarray(start, end)), `${start}..${end}`);
    }
  }
});

test('crc32cUpdate continues a checksum across pieces', () => {
  const bytes = new TextEncoder().encode('123456789');
  assert.equal(crc32cUpdate(crc32cUpdate(0, bytes, 0, 4), bytes, 4), 0xe3069283);
});
