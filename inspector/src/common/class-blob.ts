/**
 * The class blob: one CompiledClass from lang, encoded for the debug channel's INSTALL_CLASS
 * (layout in kernel-src/docs/debug-protocol.md, parsed by kernel-src/core/install.c). Chosen to be
 * easy and safe to parse in C: u32 little-endian numbers, strings as u16 length + UTF-8, every
 * list preceded by its count, constants as a kind byte and names (the kernel resolves them
 * against the running machine).
 *
 * Not here: sending it (node/debug-client.ts, installClass) or checking names (the kernel does).
 */
import type { CompiledClass, CompiledConst, CompiledMethod } from '@phantom/lang/common/compiled.js';
import { PayloadWriter } from './debug-protocol.js';

/** First word of a blob: 'PHCB' read as a little-endian u32. */
export const CLASS_BLOB_MAGIC = 0x42434850;
/** Version of the blob layout (install.h CLASS_BLOB_VERSION). */
export const CLASS_BLOB_VERSION = 1;
/** Largest blob the kernel reassembles (install.h CLASS_BLOB_MAX). */
export const CLASS_BLOB_MAX = 256 * 1024;

/** Constant kinds in the blob (install.c enum const_kind). */
export enum BlobConstKind {
  STRING = 1,
  CLASS = 2,
  METHOD = 3,
}

export class ClassBlobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClassBlobError';
  }
}

function writeConst(w: PayloadWriter, k: CompiledConst): void {
  switch (k.kind) {
    case 'string':
      w.u8(BlobConstKind.STRING).str(k.value);
      return;
    case 'class':
      w.u8(BlobConstKind.CLASS).str(k.name);
      return;
    case 'method':
      w.u8(BlobConstKind.METHOD).str(k.owner).str(k.name);
      return;
  }
}

function writeMethod(w: PayloadWriter, m: CompiledMethod): void {
  w.str(m.name).u32(m.flags).u32(m.argc).u32(m.locals).u32(m.maxStack).u32(m.native).u32(m.vindex);
  w.u32(m.code.length).raw(m.code);
  w.u32(m.consts.length);
  for (const k of m.consts) writeConst(w, k);
  w.u32(m.handlers.length);
  for (const h of m.handlers) w.u32(h.start).u32(h.end).u32(h.handler).u32(h.classConst);
  w.u32(m.lines.length);
  for (const v of m.lines) w.u32(v);
}

/** Encodes one program class; throws ClassBlobError for a class no kernel could install. */
export function encodeClassBlob(cls: CompiledClass): Uint8Array {
  if (cls.superName === null)
    throw new ClassBlobError(`${cls.name} has no superclass; only program classes can be installed`);
  if (cls.internalId !== 0)
    throw new ClassBlobError(`${cls.name} is an internal class; only program classes can be installed`);
  const w = new PayloadWriter();
  w.u32(CLASS_BLOB_MAGIC).u32(CLASS_BLOB_VERSION).str(cls.name).str(cls.superName).u32(cls.kind);
  w.u32(cls.fieldNames.length);
  for (const f of cls.fieldNames) w.str(f);
  w.u32(cls.vtable.length);
  for (const [owner, name] of cls.vtable) w.str(owner).str(name);
  w.u32(cls.methods.length);
  for (const m of cls.methods) writeMethod(w, m);
  const blob = w.finish();
  if (blob.length > CLASS_BLOB_MAX) {
    throw new ClassBlobError(
      `${cls.name} encodes to ${blob.length} bytes; the kernel takes at most ${CLASS_BLOB_MAX}`,
    );
  }
  return blob;
}
