/**
 * The object space as bytes: a Uint8Array of SH_SIZE bytes whose index 0 is the address
 * SPACE_BASE, with an Int32Array over the same memory for value words. Reads and writes object
 * headers, slots and string bytes, and bump-allocates (object-format.md). Shared by the image
 * builder, which fills a fresh space, and the reference interpreter, which runs one (and adds the
 * free list and the collector in interp/heap.ts).
 *
 * A value word is a small integer n as n << 1, or a reference: the object's address + 1. Word
 * indices here count 32-bit words from SPACE_BASE.
 */
import * as L from '../spec/generated.js';

/** The word of small integer `n` (wraps to 31 bits). */
export const smallInt = (n: number): number => n << 1;
/** The integer a small-integer word holds. */
export const intOf = (word: number): number => word >> 1;

const HEADER_WORDS = L.HEADER_BYTES / 4;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Bytes an object with `payloadBytes` of payload occupies. */
export const objectBytes = (payloadBytes: number): number => L.HEADER_BYTES + ((payloadBytes + 3) & ~3);

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('the object space needs a little-endian host (Int32Array views it directly)');
}

export class Space {
  readonly words: Int32Array;
  readonly size: number;

  constructor(readonly bytes: Uint8Array) {
    if (bytes.byteOffset % 4 !== 0 || bytes.length % L.PAGE_SIZE !== 0) {
      throw new Error('object space bytes must be 4-aligned and a whole number of pages');
    }
    this.words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    this.size = bytes.length;
  }

  /** A zero-filled space of `size` bytes with its header written and nothing allocated. */
  static create(size: number): Space {
    const space = new Space(new Uint8Array(size));
    const w = space.words;
    w[L.SH_MAGIC / 4] = L.SPACE_MAGIC;
    w[L.SH_VERSION / 4] = L.FORMAT_VERSION;
    w[L.SH_SIZE / 4] = size;
    w[L.SH_TOP / 4] = L.SPACE_BASE + L.SPACE_HEADER_BYTES;
    return space;
  }

  /** A space-header field (SH_* byte offset), unsigned. */
  headerField(offset: number): number {
    return this.words[offset / 4]! >>> 0;
  }

  setHeaderField(offset: number, value: number): void {
    this.words[offset / 4] = value;
  }

  /** Word index of the header of the object `ref` refers to. */
  headerIndex(ref: number): number {
    return (ref - 1 - L.SPACE_BASE) >> 2;
  }

  /** True when `ref` is a reference to an address inside the allocated part of the space. */
  isValidRef(ref: number): boolean {
    if ((ref & 3) !== 1) return false;
    const addr = (ref - 1) >>> 0;
    return addr >= L.SPACE_BASE + L.SPACE_HEADER_BYTES && addr + L.HEADER_BYTES <= this.headerField(L.SH_TOP);
  }

  classOf(ref: number): number {
    return this.words[this.headerIndex(ref)]!;
  }

  payloadBytes(ref: number): number {
    return this.words[this.headerIndex(ref) + 1]!;
  }

  kindOf(ref: number): number {
    return this.words[this.headerIndex(ref) + 2]! & L.FLAG_KIND_MASK;
  }

  slot(ref: number, i: number): number {
    return this.words[this.headerIndex(ref) + HEADER_WORDS + i]!;
  }

  setSlot(ref: number, i: number, value: number): void {
    this.words[this.headerIndex(ref) + HEADER_WORDS + i] = value;
  }

  /** Byte index (from SPACE_BASE) of the first payload byte. */
  payloadOffset(ref: number): number {
    return ref - 1 - L.SPACE_BASE + L.HEADER_BYTES;
  }

  /** The payload of a KIND_BYTES object (a view, not a copy). */
  byteContents(ref: number): Uint8Array {
    const start = this.payloadOffset(ref);
    return this.bytes.subarray(start, start + this.payloadBytes(ref));
  }

  /** A string object's text (invalid UTF-8 reads as U+FFFD). */
  text(ref: number): string {
    return utf8Decoder.decode(this.byteContents(ref));
  }

  /** Writes a header at `addr` for an object of `payloadBytes`; the payload must already be zero. */
  writeHeader(addr: number, classRef: number, kind: number, payloadBytes: number): number {
    const h = (addr - L.SPACE_BASE) >> 2;
    this.words[h] = classRef;
    this.words[h + 1] = payloadBytes;
    this.words[h + 2] = kind;
    return addr + 1;
  }

  /** Allocates at SH_TOP (zero memory); returns the reference, or 0 when the space is full. */
  bump(classRef: number, kind: number, payloadBytes: number): number {
    const top = this.headerField(L.SH_TOP);
    const need = objectBytes(payloadBytes);
    if (payloadBytes < 0 || top + need > L.SPACE_BASE + this.size) return 0;
    this.setHeaderField(L.SH_TOP, top + need);
    this.countAllocation(need);
    return this.writeHeader(top, classRef, kind, payloadBytes);
  }

  /** Keeps the informational SH_OBJECTS and SH_LIVE_BYTES current. */
  countAllocation(bytes: number): void {
    this.words[L.SH_OBJECTS / 4]! += 1;
    this.words[L.SH_LIVE_BYTES / 4]! += bytes;
  }

  /** UTF-8 bytes of a JS string, as string objects hold them. */
  static encode(text: string): Uint8Array {
    return utf8.encode(text);
  }
}
