/**
 * Builds small object spaces by hand for the inspector's tests, laid out exactly as
 * lang/docs/object-format.md says (header, classes with names and field names, strings, arrays,
 * a root). Real images from `phc image` are tested elsewhere; this keeps graph tests exact.
 */
import {
  CID_ARRAY,
  CID_CLASS,
  CID_ROOT,
  CID_STRING,
  CLASS_FIELD_COUNT,
  CLASS_FIELD_NAMES,
  CLASS_INTERNAL_ID,
  CLASS_KIND,
  CLASS_NAME,
  FORMAT_VERSION,
  HEADER_BYTES,
  KIND_BYTES,
  KIND_FREE,
  KIND_SLOTS,
  SH_MAGIC,
  SH_ROOT,
  SH_SIZE,
  SH_TOP,
  SH_VERSION,
  SPACE_BASE,
  SPACE_HEADER_BYTES,
  SPACE_MAGIC,
} from '@phantom/lang/common/spec/generated.js';

export const ref = (addr: number) => addr + 1;
export const int = (n: number) => (n << 1) >>> 0;

export class SpaceFixture {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private top = SPACE_HEADER_BYTES;
  private readonly classes = new Map<string, number>();
  readonly classClass: number;

  constructor(size = 1 << 20) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.view.setUint32(SH_MAGIC, SPACE_MAGIC, true);
    this.view.setUint32(SH_VERSION, FORMAT_VERSION, true);
    this.view.setUint32(SH_SIZE, size, true);
    // The class of classes is its own class.
    this.classClass = this.alloc(0, KIND_SLOTS, 8);
    this.setClassWord(this.classClass, ref(this.classClass));
    this.classes.set('.internal.class', this.classClass);
    const stringClass = this.rawClass('.internal.string');
    const arrayClass = this.rawClass('.internal.array');
    this.describeClass(this.classClass, '.internal.class', CID_CLASS, KIND_SLOTS, []);
    this.describeClass(stringClass, '.internal.string', CID_STRING, KIND_BYTES, []);
    this.describeClass(arrayClass, '.internal.array', CID_ARRAY, KIND_SLOTS, []);
  }

  /** Defines a program class (internal id 0) with these instance fields. */
  defineClass(name: string, fields: string[], internalId = 0): number {
    const cls = this.rawClass(name);
    this.describeClass(cls, name, internalId, KIND_SLOTS, fields);
    return cls;
  }

  object(className: string, slots: number[]): number {
    const cls = this.classes.get(className);
    if (cls === undefined) throw new Error(`fixture: no class ${className}`);
    const addr = this.alloc(cls, KIND_SLOTS, slots.length);
    for (const [i, w] of slots.entries()) this.setSlot(addr, i, w);
    return addr;
  }

  string(text: string): number {
    const data = new TextEncoder().encode(text);
    const addr = this.allocBytes(this.classes.get('.internal.string')!, data.length);
    this.bytes.set(data, addr - SPACE_BASE + HEADER_BYTES);
    return addr;
  }

  array(words: number[]): number {
    const addr = this.alloc(this.classes.get('.internal.array')!, KIND_SLOTS, words.length);
    for (const [i, w] of words.entries()) this.setSlot(addr, i, w);
    return addr;
  }

  /** A free block of `payload` bytes (the walker must skip it). */
  free(payload: number): void {
    const off = this.top;
    this.view.setUint32(off + 4, payload, true);
    this.view.setUint32(off + 8, KIND_FREE, true);
    this.top += HEADER_BYTES + ((payload + 3) & ~3);
  }

  setSlot(addr: number, slot: number, word: number): void {
    this.view.setUint32(addr - SPACE_BASE + HEADER_BYTES + 4 * slot, word >>> 0, true);
  }

  /** Makes `addr` the root (a `.internal.root` needs no particular class here) and seals the header. */
  finish(root: number): Uint8Array {
    this.view.setUint32(SH_ROOT, ref(root), true);
    this.view.setUint32(SH_TOP, SPACE_BASE + this.top, true);
    return this.bytes;
  }

  rootClass(fields: string[]): number {
    return this.defineClass('.internal.root', fields, CID_ROOT);
  }

  /** Allocates a class object and registers its name; describeClass fills it once strings can be made. */
  private rawClass(name: string): number {
    const cls = this.alloc(this.classClass, KIND_SLOTS, 8);
    this.classes.set(name, cls);
    return cls;
  }

  private describeClass(cls: number, name: string, id: number, kind: number, fields: string[]): void {
    this.setSlot(cls, CLASS_NAME, ref(this.string(name)));
    this.setSlot(cls, CLASS_FIELD_COUNT, int(fields.length));
    this.setSlot(cls, CLASS_FIELD_NAMES, ref(this.array(fields.map((f) => ref(this.string(f))))));
    this.setSlot(cls, CLASS_KIND, int(kind));
    this.setSlot(cls, CLASS_INTERNAL_ID, int(id));
  }

  private alloc(classAddr: number, kind: number, slots: number): number {
    const addr = SPACE_BASE + this.top;
    this.view.setUint32(this.top, classAddr ? ref(classAddr) : 0, true);
    this.view.setUint32(this.top + 4, slots * 4, true);
    this.view.setUint32(this.top + 8, kind, true);
    this.top += HEADER_BYTES + slots * 4;
    return addr;
  }

  private allocBytes(classAddr: number, n: number): number {
    const addr = SPACE_BASE + this.top;
    this.view.setUint32(this.top, ref(classAddr), true);
    this.view.setUint32(this.top + 4, n, true);
    this.view.setUint32(this.top + 8, KIND_BYTES, true);
    this.top += HEADER_BYTES + ((n + 3) & ~3);
    return addr;
  }

  private setClassWord(addr: number, word: number): void {
    this.view.setUint32(addr - SPACE_BASE, word, true);
  }
}
