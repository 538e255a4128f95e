/**
 * A fixed-capacity ring of bytes: the console's scroll-back. Appending past the capacity drops
 * the oldest bytes, so memory stays bounded however long a machine runs.
 */

/** One mebibyte: about 10,000 lines of 100 columns of scroll-back. */
export const DEFAULT_SCROLLBACK_BYTES = 1024 * 1024;

export class ByteRing {
  private readonly buffer: Uint8Array;
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number = DEFAULT_SCROLLBACK_BYTES) {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new RangeError('capacity must be a positive integer');
    this.buffer = new Uint8Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  append(bytes: Uint8Array): void {
    const input = bytes.length > this.capacity ? bytes.subarray(bytes.length - this.capacity) : bytes;
    const overflow = this.length + input.length - this.capacity;
    if (overflow > 0) {
      this.start = (this.start + overflow) % this.capacity;
      this.length -= overflow;
    }
    const end = (this.start + this.length) % this.capacity;
    const first = Math.min(input.length, this.capacity - end);
    this.buffer.set(input.subarray(0, first), end);
    this.buffer.set(input.subarray(first), 0);
    this.length += input.length;
  }

  /** A copy of the contents, oldest byte first. */
  contents(): Uint8Array {
    const out = new Uint8Array(this.length);
    const first = Math.min(this.length, this.capacity - this.start);
    out.set(this.buffer.subarray(this.start, this.start + first), 0);
    out.set(this.buffer.subarray(0, this.length - first), first);
    return out;
  }
}
