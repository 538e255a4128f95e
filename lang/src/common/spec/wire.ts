/**
 * The reader and writer the generated codecs (debug-wire.ts, class-blob-wire.ts) are built on:
 * little-endian numbers, strings as a u16 length and UTF-8, every read bounds-checked and every
 * written number range-checked. A payload that does not have its record's shape, or a value that
 * does not fit its field, is a WireError naming the record and field, never a wrong value or an
 * exception of another kind.
 *
 * Not here: any layout (lang/spec/debug.def and class_blob.def hold those; wire-gen.ts turns them
 * into code).
 */

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

/** Bounds-checked little-endian reader over one payload. */
export class WireReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly payload: Uint8Array,
    /** What the payload is, for messages: a record or message name. */
    private readonly what: string,
  ) {
    this.view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  }

  private need(n: number, field: string): number {
    if (n > this.payload.length - this.pos) {
      throw new WireError(
        `${this.what}: the payload ends at byte ${this.payload.length} inside ${field}, which needs ${n} bytes at ${this.pos}`,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(field: string): number {
    return this.view.getUint8(this.need(1, field));
  }
  u16(field: string): number {
    return this.view.getUint16(this.need(2, field), true);
  }
  u32(field: string): number {
    return this.view.getUint32(this.need(4, field), true);
  }
  i32(field: string): number {
    return this.view.getInt32(this.need(4, field), true);
  }
  /** A u64 as a number; one of 2^53 or more (no count or time here gets there) is refused, not rounded. */
  u64(field: string): number {
    const at = this.need(8, field);
    const high = this.view.getUint32(at + 4, true);
    if (high >= 2 ** 21) throw new WireError(`${this.what}: ${field} is 2^53 or more`);
    return this.view.getUint32(at, true) + high * 2 ** 32;
  }
  bytes(n: number, field: string): Uint8Array {
    const at = this.need(n, field);
    return this.payload.slice(at, at + n);
  }
  /** A string, at least `min` bytes long. */
  str(field: string, min = 0): string {
    const n = this.u16(field);
    if (n < min) throw new WireError(`${this.what}: ${field} is shorter than ${min} bytes`);
    return utf8.decode(this.bytes(n, field));
  }
  /** Everything after the current position. */
  rest(field: string): Uint8Array {
    return this.bytes(this.payload.length - this.pos, field);
  }
  /** The zero bytes that pad `length` bytes to a multiple of `pad`. */
  pad(length: number, pad: number, field: string): void {
    const n = (pad - (length % pad)) % pad;
    const at = this.need(n, field);
    for (let i = at; i < at + n; i++)
      if (this.payload[i] !== 0) throw new WireError(`${this.what}: padding after ${field} is not zero`);
  }
  /** A field that must hold one value (a reserved field, a magic number). */
  expect(value: number, want: number, field: string): void {
    if (value !== want) throw new WireError(`${this.what}: ${field} is ${value}, must be ${want}`);
  }
  /** A value with an upper bound (a count and its limit, a status and its largest value). */
  atMost(value: number, max: number, field: string, maxName: string): number {
    if (value > max) throw new WireError(`${this.what}: ${field} is ${value}, more than ${maxName} (${max})`);
    return value;
  }
  /** Checks that nothing is left over: a payload longer than its shape is malformed too. */
  end(): void {
    if (this.pos !== this.payload.length) {
      throw new WireError(`${this.what}: ${this.payload.length - this.pos} unexpected trailing bytes`);
    }
  }
}

const LIMITS = { u8: 0xff, u16: 0xffff, u32: 0xffffffff } as const;

/**
 * A growing little-endian byte builder that writes what it is given: the base of WireWriter, and
 * what test peers use to send payloads of a wrong shape on purpose.
 */
export class ByteWriter {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  private length = 0;

  /** Reserves n bytes (zeros) and returns their offset; may replace buf and view, so read those after. */
  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      grown.set(this.buf);
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  u8(v: number): this {
    const at = this.room(1);
    this.view.setUint8(at, v);
    return this;
  }
  u16(v: number): this {
    const at = this.room(2);
    this.view.setUint16(at, v, true);
    return this;
  }
  u32(v: number): this {
    const at = this.room(4);
    this.view.setUint32(at, v >>> 0, true);
    return this;
  }
  i32(v: number): this {
    const at = this.room(4);
    this.view.setInt32(at, v, true);
    return this;
  }
  u64(v: number): this {
    const at = this.room(8);
    this.view.setUint32(at, v % 2 ** 32, true);
    this.view.setUint32(at + 4, Math.floor(v / 2 ** 32), true);
    return this;
  }
  raw(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  zeros(n: number): this {
    this.room(n);
    return this;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Little-endian payload builder that refuses values their fields cannot hold. */
export class WireWriter {
  private readonly out = new ByteWriter();

  constructor(private readonly what: string) {}

  private unsigned(v: number, type: keyof typeof LIMITS, field: string): number {
    if (!Number.isInteger(v) || v < 0 || v > LIMITS[type])
      throw new WireError(`${this.what}: ${field} = ${v} does not fit a ${type}`);
    return v;
  }

  u8(v: number, field: string): this {
    this.out.u8(this.unsigned(v, 'u8', field));
    return this;
  }
  u16(v: number, field: string): this {
    this.out.u16(this.unsigned(v, 'u16', field));
    return this;
  }
  u32(v: number, field: string): this {
    this.out.u32(this.unsigned(v, 'u32', field));
    return this;
  }
  i32(v: number, field: string): this {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31)
      throw new WireError(`${this.what}: ${field} = ${v} does not fit an i32`);
    this.out.i32(v);
    return this;
  }
  u64(v: number, field: string): this {
    if (!Number.isSafeInteger(v) || v < 0)
      throw new WireError(`${this.what}: ${field} = ${v} does not fit a u64`);
    this.out.u64(v);
    return this;
  }
  raw(b: Uint8Array): this {
    this.out.raw(b);
    return this;
  }
  /** A string, at least `min` bytes long. */
  str(s: string, field: string, min = 0): this {
    const b = utf8Encoder.encode(s);
    if (b.length > 0xffff) throw new WireError(`${this.what}: ${field} is longer than 65535 bytes`);
    if (b.length < min) throw new WireError(`${this.what}: ${field} is shorter than ${min} bytes`);
    return this.u16(b.length, field).raw(b);
  }
  /** The zeros that pad `length` bytes to a multiple of `pad`. */
  pad(length: number, pad: number): this {
    this.out.zeros((pad - (length % pad)) % pad);
    return this;
  }
  /** A value with an upper bound, checked before it is written. */
  atMost(value: number, max: number, field: string, maxName: string): number {
    if (value > max) throw new WireError(`${this.what}: ${field} is ${value}, more than ${maxName} (${max})`);
    return value;
  }
  /** Bytes of a fixed-size field. */
  exactly(b: Uint8Array, n: number, field: string): Uint8Array {
    if (b.length !== n) throw new WireError(`${this.what}: ${field} has ${b.length} bytes, must have ${n}`);
    return b;
  }
  finish(): Uint8Array {
    return this.out.finish();
  }
}
