/**
 * Allocation and garbage collection over an object space, per object-format.md: allocate from
 * the free list (SH_FREE, first fit, splitting), else bump SH_TOP, else collect and retry.
 * The collector is mark–sweep: mark from SH_ROOT (and the interpreter's temporary roots) with an
 * explicit stack, following every reference word of KIND_SLOTS payloads and every header's class;
 * then sweep SPACE_BASE + 64 .. SH_TOP, coalescing dead objects and free blocks into free blocks
 * linked in address order, clearing marks, and recounting SH_OBJECTS and SH_LIVE_BYTES. Objects
 * never move.
 *
 * A dead run of exactly 12 bytes cannot hold a listed free block (which needs a 4-byte next
 * link); it becomes an unlisted free block of payload 0 that a later sweep merges with its
 * neighbours.
 */
import { objectBytes, type Space } from '../image/space.js';
import * as L from '../spec/generated.js';

const BASE = L.SPACE_BASE;
/** Smallest listed free block: a header and the next link. */
const MIN_FREE_BLOCK = L.HEADER_BYTES + 4;

export interface CollectionStats {
  readonly liveObjects: number;
  readonly liveBytes: number;
  readonly freeBytes: number;
}

export class Heap {
  /** References the collector must keep besides SH_ROOT (objects a native is still building). */
  readonly tempRoots: number[] = [];
  collections = 0;
  private readonly words: Int32Array;

  constructor(readonly space: Space) {
    this.words = space.words;
  }

  /** A zeroed object; returns its reference, or 0 when the space is full even after a collection. */
  allocate(classRef: number, kind: number, payloadBytes: number): number {
    if (payloadBytes < 0 || payloadBytes > this.space.size) return 0;
    const need = objectBytes(payloadBytes);
    let addr = this.fromFreeList(need);
    if (addr === 0) {
      const ref = this.space.bump(classRef, kind, payloadBytes);
      if (ref !== 0) return ref;
      this.collect();
      addr = this.fromFreeList(need);
      if (addr === 0) {
        const again = this.space.bump(classRef, kind, payloadBytes);
        if (again === 0) return 0;
        return again;
      }
    }
    const h = (addr - BASE) >> 2;
    this.words.fill(0, h, h + (need >> 2));
    this.space.countAllocation(need);
    return this.space.writeHeader(addr, classRef, kind, payloadBytes);
  }

  /** First fit: takes a block of exactly `need` bytes, or splits one leaving a listed free block. */
  private fromFreeList(need: number): number {
    const w = this.words;
    let prevLink = L.SH_FREE >> 2;
    let cur = w[prevLink]! >>> 0;
    while (cur !== 0) {
      const h = (cur - BASE) >> 2;
      const total = L.HEADER_BYTES + w[h + 1]!;
      const next = w[h + 3]!;
      const rest = total - need;
      if (rest === 0) {
        w[prevLink] = next;
        return cur;
      }
      if (rest >= MIN_FREE_BLOCK) {
        const tail = cur + need;
        const t = (tail - BASE) >> 2;
        w[t] = 0;
        w[t + 1] = rest - L.HEADER_BYTES;
        w[t + 2] = L.KIND_FREE;
        w[t + 3] = next;
        w[prevLink] = tail;
        return cur;
      }
      prevLink = h + 3;
      cur = next >>> 0;
    }
    return 0;
  }

  /** Is `word` a reference to an allocated address (not the header, not past SH_TOP)? */
  private inSpace(word: number, top: number): boolean {
    if ((word & 3) !== 1) return false;
    const addr = (word - 1) >>> 0;
    return addr >= BASE + L.SPACE_HEADER_BYTES && addr + L.HEADER_BYTES <= top;
  }

  collect(): CollectionStats {
    this.collections++;
    const w = this.words;
    const top = this.space.headerField(L.SH_TOP);
    const stack: number[] = [w[L.SH_ROOT >> 2]!, ...this.tempRoots];
    while (stack.length > 0) {
      const ref = stack.pop()!;
      if (!this.inSpace(ref, top)) continue;
      const h = (ref - 1 - BASE) >> 2;
      const flags = w[h + 2]!;
      const kind = flags & L.FLAG_KIND_MASK;
      if (flags & L.FLAG_MARK || kind === L.KIND_FREE) continue;
      w[h + 2] = flags | L.FLAG_MARK;
      stack.push(w[h]!);
      if (kind !== L.KIND_SLOTS) continue;
      const end = Math.min(h + 3 + (w[h + 1]! >>> 2), w.length);
      for (let i = h + 3; i < end; i++) {
        const v = w[i]!;
        if (v & 1 && !(w[((v - 1 - BASE) >> 2) + 2]! & L.FLAG_MARK)) stack.push(v);
      }
    }
    return this.sweep(top);
  }

  private sweep(top: number): CollectionStats {
    const w = this.words;
    let liveObjects = 0;
    let liveBytes = 0;
    let freeBytes = 0;
    let tailLink = L.SH_FREE >> 2;
    let runStart = 0;
    const closeRun = (end: number) => {
      const bytes = end - runStart;
      const h = (runStart - BASE) >> 2;
      w[h] = 0;
      w[h + 1] = bytes - L.HEADER_BYTES;
      w[h + 2] = L.KIND_FREE;
      if (bytes >= MIN_FREE_BLOCK) {
        w[h + 3] = 0;
        w[tailLink] = runStart;
        tailLink = h + 3;
      }
      freeBytes += bytes;
      runStart = 0;
    };
    for (let addr = BASE + L.SPACE_HEADER_BYTES; addr < top; ) {
      const h = (addr - BASE) >> 2;
      const flags = w[h + 2]!;
      const size = objectBytes(Math.max(0, w[h + 1]!));
      if (flags & L.FLAG_MARK && (flags & L.FLAG_KIND_MASK) !== L.KIND_FREE) {
        if (runStart !== 0) closeRun(addr);
        w[h + 2] = flags & ~L.FLAG_MARK;
        liveObjects++;
        liveBytes += size;
      } else if (runStart === 0) {
        runStart = addr;
      }
      addr += size;
    }
    if (runStart !== 0) closeRun(Math.min(top, BASE + this.space.size));
    w[tailLink] = 0;
    w[L.SH_OBJECTS >> 2] = liveObjects;
    w[L.SH_LIVE_BYTES >> 2] = liveBytes;
    return { liveObjects, liveBytes, freeBytes };
  }
}
