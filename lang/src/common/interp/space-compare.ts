/**
 * Compares two object spaces as machines. The kernel's differential tests and its VM fuzzer use it
 * to check that the kernel's VM and this interpreter, run on the same space, left the same machine
 * behind; a replay can be checked against the generation it should reach the same way.
 *
 * Two spaces are the same machine when
 * 1. their 64-byte headers are equal word for word (SH_TOP, SH_FREE, the counts, the allowance);
 * 2. the same blocks lie at the same addresses from SPACE_BASE + 64 to SH_TOP, each with the same
 *    class word, size and flags, and each free block on a list with the same next link;
 * 3. every object reachable from the root (through slots and class words) has the same payload.
 * What unreachable objects and free blocks hold is not compared: nothing reads it again (the
 * allocator zero-fills what it hands out), and the kernel's hosted build fills freed memory with
 * junk. Nothing above SH_TOP is compared either.
 */
import { objectBytes } from '../image/space.js';
import * as L from '../spec/generated.js';

const BASE = L.SPACE_BASE;
const HW = L.HEADER_BYTES / 4;
const FIRST = BASE + L.SPACE_HEADER_BYTES;

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** Differences between spaces `a` and `b` (raw space bytes from SPACE_BASE), at most `limit` of them; [] when they are the same machine. */
export function compareSpaces(a: Uint8Array, b: Uint8Array, limit = 20): string[] {
  const out: string[] = [];
  const report = (message: string): boolean => {
    out.push(message);
    return out.length >= limit;
  };
  if (a.length !== b.length) return [`sizes differ: ${a.length} vs ${b.length} bytes`];
  if (a.length < L.SPACE_SIZE_MIN || a.length % 4 !== 0) return [`not a space: ${a.length} bytes`];
  if (a.byteOffset % 4 !== 0 || b.byteOffset % 4 !== 0)
    throw new Error('compareSpaces: spaces must be 4-aligned');
  const wa = new Int32Array(a.buffer, a.byteOffset, a.length >> 2);
  const wb = new Int32Array(b.buffer, b.byteOffset, b.length >> 2);

  for (let i = 0; i < L.SPACE_HEADER_BYTES / 4; i++) {
    if (wa[i] !== wb[i] && report(`space header at byte ${4 * i}: ${hex(wa[i]!)} vs ${hex(wb[i]!)}`))
      return out;
  }
  const top = Math.max(FIRST, Math.min(wa[L.SH_TOP >> 2]! >>> 0, BASE + a.length));

  // Blocks, in lockstep; the starts found in `a` let the reachability walk trust its references.
  const starts = new Uint8Array((top - BASE) >> 2);
  let addr = FIRST;
  while (addr + L.HEADER_BYTES <= top) {
    const h = (addr - BASE) >> 2;
    starts[h] = 1;
    for (let i = 0; i < HW; i++) {
      if (wa[h + i] !== wb[h + i]) {
        if (report(`block at ${hex(addr)}: header word ${i} ${hex(wa[h + i]!)} vs ${hex(wb[h + i]!)}`))
          return out;
        return out.concat(reachableDifferences(wa, wb, starts, top, limit - out.length));
      }
    }
    const size = wa[h + 1]!;
    const kind = wa[h + 2]! & L.FLAG_KIND_MASK;
    if (size < 0 || addr + objectBytes(size) > top) {
      report(`block at ${hex(addr)}: size ${size} runs past SH_TOP ${hex(top)}`);
      return out;
    }
    if (kind === L.KIND_FREE && size >= 4 && wa[h + HW] !== wb[h + HW]) {
      if (report(`free block at ${hex(addr)}: next ${hex(wa[h + HW]!)} vs ${hex(wb[h + HW]!)}`)) return out;
    }
    addr += objectBytes(size);
  }
  return out.concat(reachableDifferences(wa, wb, starts, top, limit - out.length));
}

/** Payload differences of the objects reachable from `a`'s root (see the file comment for why `a`'s walk is enough). */
function reachableDifferences(
  wa: Int32Array,
  wb: Int32Array,
  starts: Uint8Array,
  top: number,
  limit: number,
): string[] {
  const out: string[] = [];
  if (limit <= 0) return out;
  const seen = new Uint8Array(starts.length);
  const isObject = (ref: number): boolean => {
    if ((ref & 3) !== 1) return false;
    const addr = (ref - 1) >>> 0;
    if (addr < FIRST || addr + L.HEADER_BYTES > top) return false;
    const h = (addr - BASE) >> 2;
    return starts[h] === 1 && (wa[h + 2]! & L.FLAG_KIND_MASK) !== L.KIND_FREE;
  };
  const stack = [wa[L.SH_ROOT >> 2]!];
  while (stack.length > 0) {
    const ref = stack.pop()!;
    if (!isObject(ref)) continue;
    const h = (ref - 1 - BASE) >> 2;
    if (seen[h]) continue;
    seen[h] = 1;
    stack.push(wa[h]!);
    const size = wa[h + 1]!;
    const kind = wa[h + 2]! & L.FLAG_KIND_MASK;
    const words = (size + 3) >> 2;
    for (let i = 0; i < words; i++) {
      const va = wa[h + HW + i]!;
      // A BYTES payload's last word holds bytes past HDR_SIZE that nobody reads: compare only the used ones.
      const mask =
        kind === L.KIND_BYTES && i === words - 1 && size % 4 !== 0 ? (1 << (8 * (size % 4))) - 1 : -1;
      if ((va & mask) !== (wb[h + HW + i]! & mask)) {
        out.push(
          `${describe(wa, ref, isObject)} at ${hex(ref - 1)}: ${kind === L.KIND_SLOTS ? 'slot' : 'bytes word'} ${i} ${hex(va)} vs ${hex(wb[h + HW + i]!)}`,
        );
        if (out.length >= limit) return out;
      }
      if (kind === L.KIND_SLOTS && va & 1) stack.push(va);
    }
  }
  return out;
}

/** "a .demo.node" (the class's name when it can be read), for messages. */
function describe(w: Int32Array, ref: number, isObject: (ref: number) => boolean): string {
  const cls = w[(ref - 1 - BASE) >> 2]!;
  if (!isObject(cls)) return 'an object';
  const name = w[((cls - 1 - BASE) >> 2) + HW + L.CLASS_NAME]!;
  if (!isObject(name)) return 'an object';
  const h = (name - 1 - BASE) >> 2;
  const bytes = new Uint8Array(w.buffer, w.byteOffset + 4 * (h + HW), Math.min(w[h + 1]!, 200));
  return `a ${new TextDecoder().decode(bytes)}`;
}
