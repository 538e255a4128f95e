/**
 * Reads what the debugger shows out of a live object space through today's debug protocol
 * (READ_OBJECTS): methods (name, class, code, line table, slot counts), classes (name, field
 * names, kind), strings, arrays and frames' slots. One reader lives while the world stays paused
 * (or for one request while it runs); it caches what it read, because a paused world does not
 * change and one stack trace asks for the same methods many times.
 *
 * Not here: how values look in the editor (session.ts), or which source line a pc is (source-index.ts).
 */

import type { CompiledDebugInfo, CompiledLocal } from '@phantom/lang/common/compiled.js';
import * as L from '@phantom/lang/common/spec/generated.js';
import type { DapTarget } from '../../common/dap-target.js';
import type { RawObject } from '../../common/debug-protocol.js';
import { ObjectStatus } from '../../common/debug-protocol.js';

/** A value word decoded: an integer (the word 0 is also null), or a reference to the object at `ref`. */
export type Word = { kind: 'int'; value: number } | { kind: 'ref'; ref: number };

export function decodeWord(word: number): Word {
  return (word & L.REF_TAG) === 0 ? { kind: 'int', value: (word | 0) >> 1 } : { kind: 'ref', ref: word - 1 };
}

export interface ClassInfo {
  readonly ref: number;
  readonly name: string;
  readonly fieldNames: readonly string[];
  readonly internalId: number;
}

export interface MethodInfo {
  readonly ref: number;
  readonly name: string;
  readonly owner: ClassInfo | undefined;
  readonly code: Uint8Array;
  /** pc, line pairs (METHOD_LINES). */
  readonly lines: readonly number[];
  readonly argc: number;
  readonly locals: number;
  readonly flags: number;
  /** What the method object itself says of its source (METHOD_DEBUG), when the machine holds it. */
  readonly debug?: { readonly file: string; readonly info: CompiledDebugInfo };
}

export interface ObjectInfo {
  readonly ref: number;
  readonly cls: ClassInfo | undefined;
  readonly kind: number;
  readonly size: number;
  /** The payload as far as the kernel sent it (all of it unless `truncated`). */
  readonly payload: Uint8Array;
  readonly truncated: boolean;
}

export class LiveReadError extends Error {}

function slotWords(payload: Uint8Array): number[] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= payload.length; i += 4) out.push(view.getUint32(i, true));
  return out;
}

export class LiveReader {
  private readonly raws = new Map<number, Promise<RawObject | undefined>>();
  private readonly objects = new Map<number, Promise<ObjectInfo>>();
  private readonly classes = new Map<number, Promise<ClassInfo | undefined>>();
  private readonly methods = new Map<number, Promise<MethodInfo>>();

  constructor(private readonly client: Pick<DapTarget, 'readObjects'>) {}

  /** Reads objects not read yet in one batch (READ_OBJECTS takes up to DBG_MAX_BATCH at once). */
  async prefetch(refs: readonly number[]): Promise<void> {
    const missing = [...new Set(refs.filter((r) => r !== 0 && !this.raws.has(r)))];
    if (missing.length === 0) return;
    const read = this.client.readObjects(missing);
    for (const ref of missing)
      this.raws.set(
        ref,
        read.then((all) => all.find((o) => o.ref === ref)),
      );
    await Promise.allSettled(missing.map((r) => this.raws.get(r)));
  }

  /** The object's header and payload as the kernel sent them; class names are not looked at (no cycles). */
  private async raw(ref: number): Promise<RawObject> {
    let got = this.raws.get(ref);
    if (got === undefined) {
      got = this.client.readObjects([ref]).then((all) => all[0]);
      this.raws.set(ref, got);
    }
    const raw = await got;
    if (raw === undefined) throw new LiveReadError('the kernel did not return the object');
    if (raw.status === ObjectStatus.NotAnObject)
      throw new LiveReadError(`0x${ref.toString(16)} is not an object (it may have been collected)`);
    return raw;
  }

  object(ref: number): Promise<ObjectInfo> {
    let got = this.objects.get(ref);
    if (got === undefined) {
      got = this.raw(ref).then(async (raw) => ({
        ref,
        cls: raw.classWord === 0 ? undefined : await this.classInfo(raw.classWord - 1),
        kind: raw.flags & L.FLAG_KIND_MASK,
        size: raw.size,
        payload: raw.payload,
        truncated: raw.status === ObjectStatus.Truncated,
      }));
      this.objects.set(ref, got);
    }
    return got;
  }

  slots(o: ObjectInfo): number[] {
    return slotWords(o.payload);
  }

  async string(ref: number): Promise<string> {
    return new TextDecoder().decode((await this.raw(ref)).payload);
  }

  classInfo(ref: number): Promise<ClassInfo | undefined> {
    let got = this.classes.get(ref);
    if (got === undefined) {
      got = this.readClass(ref).catch(() => undefined);
      this.classes.set(ref, got);
    }
    return got;
  }

  private async readClass(ref: number): Promise<ClassInfo | undefined> {
    const slots = slotWords((await this.raw(ref)).payload);
    if (slots.length < 9) return undefined;
    const refAt = (slot: number): number | undefined => {
      const w = decodeWord(slots[slot]!);
      return w.kind === 'ref' && slots[slot] !== 0 ? w.ref : undefined;
    };
    const nameRef = refAt(L.CLASS_NAME);
    const namesRef = refAt(L.CLASS_FIELD_NAMES);
    await this.prefetch([nameRef, namesRef].filter((r): r is number => r !== undefined));
    const name = nameRef === undefined ? '?' : await this.string(nameRef);
    let fieldNames: string[] = [];
    if (namesRef !== undefined) {
      const refs = slotWords((await this.raw(namesRef)).payload).map(decodeWord);
      await this.prefetch(refs.flatMap((w) => (w.kind === 'ref' ? [w.ref] : [])));
      fieldNames = await Promise.all(
        refs.map((w) => (w.kind === 'ref' ? this.string(w.ref) : Promise.resolve('?'))),
      );
    }
    const internal = decodeWord(slots[L.CLASS_INTERNAL_ID]!);
    return { ref, name, fieldNames, internalId: internal.kind === 'int' ? internal.value : 0 };
  }

  method(ref: number): Promise<MethodInfo> {
    let got = this.methods.get(ref);
    if (got === undefined) {
      got = this.readMethod(ref);
      this.methods.set(ref, got);
    }
    return got;
  }

  /** METHOD_DEBUG: [source file, statements (pc, line, column triples), locals (name, slot, start, end)]. */
  private async debugInfo(ref: number): Promise<{ file: string; info: CompiledDebugInfo } | undefined> {
    const parts = slotWords((await this.raw(ref)).payload).map(decodeWord);
    if (parts.length < 3 || parts.some((p) => p.kind !== 'ref')) return undefined;
    const [file, statements, locals] = parts.map((p) => (p as { ref: number }).ref) as [
      number,
      number,
      number,
    ];
    await this.prefetch([file, statements, locals]);
    const ints = async (array: number): Promise<number[]> =>
      slotWords((await this.raw(array)).payload).map((w) => {
        const d = decodeWord(w);
        return d.kind === 'int' ? d.value : -1;
      });
    const localWords = slotWords((await this.raw(locals)).payload);
    const names = localWords.filter((_, i) => i % 4 === 0).map(decodeWord);
    await this.prefetch(names.flatMap((n) => (n.kind === 'ref' ? [n.ref] : [])));
    const out: CompiledLocal[] = [];
    for (let i = 0; i + 3 < localWords.length; i += 4) {
      const name = decodeWord(localWords[i]!);
      const [slot, start, end] = localWords.slice(i + 1, i + 4).map(decodeWord);
      if (name.kind !== 'ref' || slot?.kind !== 'int' || start?.kind !== 'int' || end?.kind !== 'int')
        continue;
      out.push({ name: await this.string(name.ref), slot: slot.value, start: start.value, end: end.value });
    }
    return { file: await this.string(file), info: { statements: await ints(statements), locals: out } };
  }

  private async readMethod(ref: number): Promise<MethodInfo> {
    const m = await this.object(ref);
    const slots = this.slots(m);
    if (slots.length < 12 || m.cls?.internalId !== L.CID_METHOD)
      throw new LiveReadError(`0x${ref.toString(16)} is not a method`);
    const int = (slot: number): number => {
      const w = decodeWord(slots[slot]!);
      return w.kind === 'int' ? w.value : 0;
    };
    const ref0 = (slot: number): number | undefined => {
      const w = decodeWord(slots[slot]!);
      return w.kind === 'ref' && slots[slot] !== 0 ? w.ref : undefined;
    };
    const nameRef = ref0(L.METHOD_NAME);
    const ownerRef = ref0(L.METHOD_OWNER);
    const codeRef = ref0(L.METHOD_CODE);
    const linesRef = ref0(L.METHOD_LINES);
    await this.prefetch([nameRef, ownerRef, codeRef, linesRef].filter((r): r is number => r !== undefined));
    const lines =
      linesRef === undefined
        ? []
        : this.slots(await this.object(linesRef)).map((w) => {
            const d = decodeWord(w);
            return d.kind === 'int' ? d.value : 0;
          });
    const debugRef = slots.length > L.METHOD_DEBUG ? ref0(L.METHOD_DEBUG) : undefined;
    const debug = debugRef === undefined ? undefined : await this.debugInfo(debugRef).catch(() => undefined);
    return {
      ref,
      ...(debug ? { debug } : {}),
      name: nameRef === undefined ? '?' : await this.string(nameRef),
      owner: ownerRef === undefined ? undefined : await this.classInfo(ownerRef),
      code: codeRef === undefined ? new Uint8Array(0) : (await this.object(codeRef)).payload,
      lines,
      argc: int(L.METHOD_ARGC),
      locals: int(L.METHOD_LOCALS),
      flags: int(L.METHOD_FLAGS),
    };
  }
}
