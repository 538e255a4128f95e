/**
 * Allocation and garbage collection over an object space, as the kernel does them (its
 * core/objspace.c and core/gc.c): the same blocks at the same addresses, so a run here and on the
 * kernel's VM leave the same space behind. The model both follow, step by step, is in
 * kernel-src/docs/vm.md ("One model, two VMs"); this file is its TypeScript side.
 *
 * - allocate (gc_alloc): collect first when SH_GC_ALLOWANCE is spent; take a block (first fit over
 *   FREE_SCAN_QUICK blocks of the free list, else bump SH_TOP, else first fit over the whole
 *   list); when none fits, collect and try once more. Objects are zero-filled.
 * - free (space_free): an object nothing references goes back to the head of the free list now.
 * - collect: mark from SH_ROOT (and the interpreter's temporary roots), then sweep: merge dead
 *   runs into free blocks linked large (>= FREE_BLOCK_LARGE bytes) first, each group in address
 *   order; a free run that ends at SH_TOP goes back to the bump region. Objects never move.
 *
 * A dead run of exactly 12 bytes cannot hold a listed free block (which needs a 4-byte next
 * link); it becomes an unlisted free block of payload 0 (a filler) that a later sweep merges with
 * its neighbours.
 */
import { objectBytes, type Space } from '../image/space.js';
import * as L from '../spec/generated.js';

const BASE = L.SPACE_BASE;
const HW = L.HEADER_BYTES / 4;
/** Smallest listed free block: a header and the next link. */
const MIN_FREE_BLOCK = L.HEADER_BYTES + 4;
const SH_FREE_WORD = L.SH_FREE >> 2;
const SH_TOP_WORD = L.SH_TOP >> 2;
const SH_OBJECTS_WORD = L.SH_OBJECTS >> 2;
const SH_LIVE_BYTES_WORD = L.SH_LIVE_BYTES >> 2;
const SH_ALLOWANCE_WORD = L.SH_GC_ALLOWANCE >> 2;
const SH_EPOCH_WORD = L.SH_EPOCH >> 2;

export interface CollectionStats {
  readonly liveObjects: number;
  readonly liveBytes: number;
  readonly freeBytes: number;
}

/** Can a free block of `have` bytes hold `need`: what is left is nothing, a filler or a listed block. */
const fits = (have: number, need: number): boolean =>
  have === need || have === need + L.HEADER_BYTES || have >= need + MIN_FREE_BLOCK;

export class Heap {
  /** References the collector must keep besides SH_ROOT (objects a native is still building). */
  readonly tempRoots: number[] = [];
  collections = 0;
  private readonly words: Int32Array;
  /**
   * Whether the next allocation opens a new epoch: a space loaded to run does (space_new_epoch).
   * Not in the space, so a checkpoint of the machine saves it beside the space's bytes.
   */
  epochPending = true;

  constructor(readonly space: Space) {
    this.words = space.words;
  }

  /** A zeroed object (gc_alloc); returns its reference, or 0 when the space is full even after a collection. */
  allocate(classRef: number, kind: number, payloadBytes: number): number {
    const w = this.words;
    if (w[SH_ALLOWANCE_WORD] === 0) this.collectKeeping(classRef);
    let ref = this.take(classRef, kind, payloadBytes);
    if (ref === 0) {
      this.collectKeeping(classRef);
      ref = this.take(classRef, kind, payloadBytes);
    }
    if (ref !== 0) {
      const allowance = w[SH_ALLOWANCE_WORD]! >>> 0;
      const bytes = objectBytes(payloadBytes);
      w[SH_ALLOWANCE_WORD] = allowance > bytes ? allowance - bytes : 0;
    }
    return ref;
  }

  /** Gives an object nothing references back to the free list now (space_free). */
  free(ref: number): void {
    const w = this.words;
    const addr = ref - 1;
    const bytes = objectBytes(w[((addr - BASE) >> 2) + 1]!);
    w[SH_OBJECTS_WORD]! -= 1;
    w[SH_LIVE_BYTES_WORD]! -= bytes;
    this.makeFree(addr, bytes, true);
  }

  private collectKeeping(classRef: number): void {
    this.tempRoots.push(classRef);
    try {
      this.collect();
    } finally {
      this.tempRoots.pop();
    }
  }

  /** space_alloc: a block from the free list or the bump region, or 0; never collects. */
  private take(classRef: number, kind: number, payloadBytes: number): number {
    if (payloadBytes < 0 || payloadBytes > L.SPACE_SIZE_MAX) return 0;
    const w = this.words;
    const need = objectBytes(payloadBytes);
    let addr = this.takeFree(need, L.FREE_SCAN_QUICK);
    if (addr === 0) {
      const top = w[SH_TOP_WORD]! >>> 0;
      if (BASE + this.space.size - top >= need) {
        addr = top;
        w[SH_TOP_WORD] = top + need;
      }
    }
    // No list is longer than this; the bound only matters in a damaged space whose list has a cycle.
    if (addr === 0) addr = this.takeFree(need, this.space.size / MIN_FREE_BLOCK);
    if (addr === 0) return 0;
    const h = (addr - BASE) >> 2;
    w.fill(0, h + HW, h + (need >> 2));
    w[SH_OBJECTS_WORD]! += 1;
    w[SH_LIVE_BYTES_WORD]! += need;
    const ref = this.space.writeHeader(addr, classRef, kind, payloadBytes);
    this.stamp(ref);
    return ref;
  }

  /**
   * The space was captured (space_new_epoch): the next allocation opens a new epoch. The kernel
   * does this after each generation it freezes; a replay that follows a recorded machine across
   * its snapshots calls it at the same points to keep the spaces byte for byte alike.
   */
  newEpoch(): void {
    this.epochPending = true;
  }

  /**
   * Stamps an object with the current epoch, as an allocation does (space_stamp): a new object,
   * or a new frame in a cached frame's place. The first stamp after the space was loaded opens a
   * new epoch (lang/docs/object-format.md, "Identity across generations").
   */
  stamp(ref: number): void {
    const w = this.words;
    if (this.epochPending) {
      w[SH_EPOCH_WORD] = (w[SH_EPOCH_WORD]! + 1) | 0;
      this.epochPending = false;
    }
    const h = ((ref - 1 - BASE) >> 2) + 2;
    w[h] = (w[h]! & ~L.FLAG_STAMP_MASK) | (w[SH_EPOCH_WORD]! << L.STAMP_SHIFT);
  }

  /** First fit over at most `limit` blocks of the free list; unlinks the block and frees its rest. */
  private takeFree(need: number, limit: number): number {
    const w = this.words;
    let link = SH_FREE_WORD;
    const end = BASE + this.space.size - MIN_FREE_BLOCK;
    while (w[link] !== 0 && limit-- > 0) {
      const block = w[link]! >>> 0;
      if (block < BASE + L.SPACE_HEADER_BYTES || block > end || block & 3) return 0; // a damaged space
      const h = (block - BASE) >> 2;
      const have = objectBytes(w[h + 1]!);
      if (fits(have, need)) {
        w[link] = w[h + HW]!;
        if (have > need) this.makeFree(block + need, have - need, true);
        return block;
      }
      link = h + HW;
    }
    return 0;
  }

  /** Turns [addr, addr + bytes) into one free block; links it at the head when asked and it can hold a link. */
  private makeFree(addr: number, bytes: number, link: boolean): void {
    const w = this.words;
    const h = (addr - BASE) >> 2;
    w[h] = 0;
    w[h + 1] = bytes - L.HEADER_BYTES;
    w[h + 2] = L.KIND_FREE;
    if (link && bytes >= MIN_FREE_BLOCK) {
      w[h + HW] = w[SH_FREE_WORD]!;
      w[SH_FREE_WORD] = addr;
    }
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
    const top = w[SH_TOP_WORD]! >>> 0;
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
      const end = Math.min(h + HW + (w[h + 1]! >>> 2), w.length);
      for (let i = h + HW; i < end; i++) {
        const v = w[i]!;
        if (v & 1 && this.inSpace(v, top) && !(w[((v - 1 - BASE) >> 2) + 2]! & L.FLAG_MARK)) stack.push(v);
      }
    }
    const stats = this.sweep(top);
    w[SH_ALLOWANCE_WORD] = Math.max(L.GC_BUDGET_MIN, stats.liveBytes);
    return stats;
  }

  private sweep(top: number): CollectionStats {
    const w = this.words;
    let liveObjects = 0;
    let liveBytes = 0;
    let freeBytes = 0;
    // Two lists, each linked in address order through its tail's link word; large goes first.
    let largeHead = 0;
    let largeTail = -1;
    let smallHead = 0;
    let smallTail = -1;
    let runStart = 0;
    const closeRun = (end: number) => {
      const bytes = end - runStart;
      this.makeFree(runStart, bytes, false);
      if (bytes >= MIN_FREE_BLOCK) {
        const h = (runStart - BASE) >> 2;
        w[h + HW] = 0;
        if (bytes >= L.FREE_BLOCK_LARGE) {
          if (largeTail < 0) largeHead = runStart;
          else w[largeTail] = runStart;
          largeTail = h + HW;
        } else {
          if (smallTail < 0) smallHead = runStart;
          else w[smallTail] = runStart;
          smallTail = h + HW;
        }
      }
      freeBytes += bytes;
      runStart = 0;
    };
    for (let addr = BASE + L.SPACE_HEADER_BYTES; addr < top; ) {
      const h = (addr - BASE) >> 2;
      const flags = w[h + 2]!;
      const size = objectBytes(Math.max(0, w[h + 1]!));
      if (flags & L.FLAG_MARK) {
        w[h + 2] = flags & ~L.FLAG_MARK;
        if (runStart !== 0) closeRun(addr);
        liveObjects++;
        liveBytes += size;
      } else if (runStart === 0) {
        runStart = addr;
      }
      addr += size;
    }
    // A trailing free run goes back to the bump region.
    if (runStart !== 0) w[SH_TOP_WORD] = runStart;
    if (largeTail >= 0) w[largeTail] = smallHead;
    w[SH_FREE_WORD] = largeHead !== 0 ? largeHead : smallHead;
    w[SH_OBJECTS_WORD] = liveObjects;
    w[SH_LIVE_BYTES_WORD] = liveBytes;
    return { liveObjects, liveBytes, freeBytes };
  }
}
