/**
 * CRC-32C (Castagnoli): the checksum on every store block and page (store.def). Reflected
 * polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF. Slicing-by-8, because
 * verifying a generation checksums the whole object space (up to 512 MiB).
 */

const POLY = 0x82f63b78;

/** TABLES[k][b]: CRC contribution of byte b seen k positions before the end of an 8-byte chunk. */
const TABLES: readonly Uint32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const first = tables[0]!;
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    first[b] = c >>> 0;
  }
  for (let b = 0; b < 256; b++) {
    let c = first[b]!;
    for (let t = 1; t < 8; t++) {
      c = (c >>> 8) ^ first[c & 0xff]!;
      tables[t]![b] = c >>> 0;
    }
  }
  return tables;
})();

/** Continues a CRC-32C over `bytes[start, end)`; pass the previous result as `crc` (0 to begin). */
export function crc32cUpdate(crc: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let c = ~crc >>> 0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = (c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
    c =
      t7[lo & 0xff]! ^
      t6[(lo >>> 8) & 0xff]! ^
      t5[(lo >>> 16) & 0xff]! ^
      t4[lo >>> 24]! ^
      t3[bytes[i + 4]!]! ^
      t2[bytes[i + 5]!]! ^
      t1[bytes[i + 6]!]! ^
      t0[bytes[i + 7]!]!;
  }
  for (; i < end; i++) c = (c >>> 8) ^ t0[(c ^ bytes[i]!) & 0xff]!;
  return ~c >>> 0;
}

/** CRC-32C of `bytes[start, end)`. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32cUpdate(0, bytes, start, end);
}
