/**
 * The class blob: one CompiledClass from lang, encoded for the debug channel's INSTALL_CLASS. Its
 * layout and limits are lang/spec/class_blob.def; the encoder is generated from it
 * (@phantom/lang/common/spec/class-blob-wire.js), as is the kernel's decoder
 * (kernel-src/core/class_blob_wire.c). This file maps a CompiledClass onto the blob's records.
 *
 * Not here: sending it (node/debug-client.ts, installClass) or checking names (the kernel does).
 */
import type { CompiledClass, CompiledConst, CompiledMethod } from '@phantom/lang/common/compiled.js';
import * as B from '@phantom/lang/common/spec/class-blob-wire.js';

export {
  CLASS_BLOB_MAGIC,
  CLASS_BLOB_MAX,
  CLASS_BLOB_VERSION,
} from '@phantom/lang/common/spec/class-blob-wire.js';

export class ClassBlobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClassBlobError';
  }
}

function blobConst(k: CompiledConst): B.BlobConstant {
  switch (k.kind) {
    case 'string':
      return { kind: B.BLOB_CONSTANT_STRING, value: k.value };
    case 'class':
      return { kind: B.BLOB_CONSTANT_CLASS, name: k.name };
    case 'method':
      return { kind: B.BLOB_CONSTANT_METHOD, owner: k.owner, name: k.name };
  }
}

function blobStatements(triples: readonly number[]): B.BlobStatement[] {
  const out: B.BlobStatement[] = [];
  for (let i = 0; i + 2 < triples.length; i += 3)
    out.push({ pc: triples[i]!, line: triples[i + 1]!, column: triples[i + 2]! });
  return out;
}

function blobMethod(m: CompiledMethod): B.BlobMethod {
  return {
    name: m.name,
    flags: m.flags,
    argc: m.argc,
    locals: m.locals,
    maxStack: m.maxStack,
    native: m.native,
    vindex: m.vindex,
    code: m.code,
    consts: m.consts.map(blobConst),
    handlers: m.handlers.map((h) => ({ ...h })),
    lines: [...m.lines],
    statements: blobStatements(m.debug?.statements ?? []),
    debugLocals: (m.debug?.locals ?? []).map((l) => ({ ...l })),
  };
}

/** The blob's records for one program class (what encodeClassBlob encodes). */
export function classBlobOf(cls: CompiledClass): B.ClassBlob {
  if (cls.superName === null)
    throw new ClassBlobError(`${cls.name} has no superclass; only program classes can be installed`);
  if (cls.internalId !== 0)
    throw new ClassBlobError(`${cls.name} is an internal class; only program classes can be installed`);
  return {
    name: cls.name,
    superName: cls.superName,
    kind: cls.kind,
    source: cls.file,
    fieldNames: [...cls.fieldNames],
    vtable: cls.vtable.map(([owner, name]) => ({ owner, name })),
    methods: cls.methods.map(blobMethod),
  };
}

/** Encodes one program class; throws ClassBlobError for a class no kernel could install. */
export function encodeClassBlob(cls: CompiledClass): Uint8Array {
  let blob: Uint8Array;
  try {
    blob = B.encodeClassBlob(classBlobOf(cls));
  } catch (err) {
    throw err instanceof ClassBlobError ? err : new ClassBlobError(`${cls.name}: ${(err as Error).message}`);
  }
  if (blob.length > B.CLASS_BLOB_MAX) {
    throw new ClassBlobError(
      `${cls.name} encodes to ${blob.length} bytes; the kernel takes at most ${B.CLASS_BLOB_MAX}`,
    );
  }
  return blob;
}
