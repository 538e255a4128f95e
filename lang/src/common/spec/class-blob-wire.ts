// Generated from lang/spec/class_blob.def by `npm run gen -w lang`; do not edit. A test checks it is current.

import { WireError, WireReader, WireWriter } from './wire.js';

/** First word of a blob: 'PHCB' read as a little-endian u32. */
export const CLASS_BLOB_MAGIC = 0x42434850;
/** Version of the blob's layout (2: source file, statements and locals). */
export const CLASS_BLOB_VERSION = 2;
/** Largest blob the kernel reassembles (256 KiB). */
export const CLASS_BLOB_MAX = 0x40000;
/** Most fields a class may have, inherited ones included. */
export const CLASS_BLOB_MAX_FIELDS = 4096;
/** Most vtable entries. */
export const CLASS_BLOB_MAX_VTABLE = 4096;
/** Most methods a class may declare. */
export const CLASS_BLOB_MAX_METHODS = 1024;
/** Most bytecode bytes of one method. */
export const CLASS_BLOB_MAX_CODE = 65535;
/** Most exception handlers of one method. */
export const CLASS_BLOB_MAX_HANDLERS = 4096;
/** Most line-table numbers of one method (pc, line pairs). */
export const CLASS_BLOB_MAX_LINES = 0x10000;
/** Most statement-table entries of one method (at most one per pc). */
export const CLASS_BLOB_MAX_STATEMENTS = 65535;
/** Most local-variable entries of one method. */
export const CLASS_BLOB_MAX_DEBUG_LOCALS = 4096;

/** The blob: one program class. */
export interface ClassBlob {
  /** Full name (`.demo.counter`). */
  name: string;
  /** Full name of the superclass (`.internal.object`). */
  superName: string;
  /** KIND_SLOTS or KIND_BYTES of instances. */
  kind: number;
  /** Source file the class was compiled from (as the compiler was given it; empty if unknown). */
  source: string;
  /** Their names, inherited first. */
  fieldNames: string[];
  /** By vtable index, inherited entries first. */
  vtable: BlobVtableEntry[];
  methods: BlobMethod[];
}
export function encodeClassBlob(v: ClassBlob): Uint8Array {
  const w = new WireWriter('class_blob');
  writeClassBlob(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeClassBlob(p: Uint8Array): ClassBlob {
  const r = new WireReader(p, 'class_blob');
  const v = readClassBlob(r);
  r.end();
  return v;
}
function readClassBlob(r: WireReader): ClassBlob {
  const magic_ = r.u32("class_blob.magic");
  r.expect(magic_, CLASS_BLOB_MAGIC, "class_blob.magic");
  const version_ = r.u32("class_blob.version");
  r.expect(version_, CLASS_BLOB_VERSION, "class_blob.version");
  const name_ = r.str("class_blob.name");
  const superName_ = r.str("class_blob.super_name");
  const kind_ = r.u32("class_blob.kind");
  const source_ = r.str("class_blob.source");
  const fieldCount_ = r.u32("class_blob.field_count");
  r.atMost(fieldCount_, CLASS_BLOB_MAX_FIELDS, "class_blob.field_count", "CLASS_BLOB_MAX_FIELDS");
  const fieldNames_: string[] = [];
  for (let i = 0; i < fieldCount_; i++) fieldNames_.push(r.str("class_blob.field_names[]"));
  const vtableCount_ = r.u32("class_blob.vtable_count");
  r.atMost(vtableCount_, CLASS_BLOB_MAX_VTABLE, "class_blob.vtable_count", "CLASS_BLOB_MAX_VTABLE");
  const vtable_: BlobVtableEntry[] = [];
  for (let i = 0; i < vtableCount_; i++) vtable_.push(readBlobVtableEntry(r));
  const methodCount_ = r.u32("class_blob.method_count");
  r.atMost(methodCount_, CLASS_BLOB_MAX_METHODS, "class_blob.method_count", "CLASS_BLOB_MAX_METHODS");
  const methods_: BlobMethod[] = [];
  for (let i = 0; i < methodCount_; i++) methods_.push(readBlobMethod(r));
  return { name: name_, superName: superName_, kind: kind_, source: source_, fieldNames: fieldNames_, vtable: vtable_, methods: methods_ };
}
function writeClassBlob(w: WireWriter, v: ClassBlob): void {
  w.u32(CLASS_BLOB_MAGIC, "class_blob.magic");
  w.u32(CLASS_BLOB_VERSION, "class_blob.version");
  w.str(v.name, "class_blob.name");
  w.str(v.superName, "class_blob.super_name");
  w.u32(v.kind, "class_blob.kind");
  w.str(v.source, "class_blob.source");
  w.u32(w.atMost(v.fieldNames.length, CLASS_BLOB_MAX_FIELDS, "class_blob.field_count", "CLASS_BLOB_MAX_FIELDS"), "class_blob.field_count");
  for (const e of v.fieldNames) w.str(e, "class_blob.field_names[]");
  w.u32(w.atMost(v.vtable.length, CLASS_BLOB_MAX_VTABLE, "class_blob.vtable_count", "CLASS_BLOB_MAX_VTABLE"), "class_blob.vtable_count");
  for (const e of v.vtable) writeBlobVtableEntry(w, e);
  w.u32(w.atMost(v.methods.length, CLASS_BLOB_MAX_METHODS, "class_blob.method_count", "CLASS_BLOB_MAX_METHODS"), "class_blob.method_count");
  for (const e of v.methods) writeBlobMethod(w, e);
}

/** A vtable entry: the method at that index. */
export interface BlobVtableEntry {
  /** Full name of the class that declares it. */
  owner: string;
  /** Its name. */
  name: string;
}
export function encodeBlobVtableEntry(v: BlobVtableEntry): Uint8Array {
  const w = new WireWriter('blob_vtable_entry');
  writeBlobVtableEntry(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeBlobVtableEntry(p: Uint8Array): BlobVtableEntry {
  const r = new WireReader(p, 'blob_vtable_entry');
  const v = readBlobVtableEntry(r);
  r.end();
  return v;
}
function readBlobVtableEntry(r: WireReader): BlobVtableEntry {
  const owner_ = r.str("blob_vtable_entry.owner");
  const name_ = r.str("blob_vtable_entry.name");
  return { owner: owner_, name: name_ };
}
function writeBlobVtableEntry(w: WireWriter, v: BlobVtableEntry): void {
  w.str(v.owner, "blob_vtable_entry.owner");
  w.str(v.name, "blob_vtable_entry.name");
}

/** One method. */
export interface BlobMethod {
  /** Unique in the class. */
  name: string;
  /** MF_* bits. */
  flags: number;
  /** Argument slots, the receiver included. */
  argc: number;
  /** Local slots, the arguments included. */
  locals: number;
  /** Deepest operand stack. */
  maxStack: number;
  /** A NATIVE id, 0 for a bytecode method. */
  native: number;
  /** Vtable index; -1 for static methods and constructors. */
  vindex: number;
  /** The bytecode. */
  code: Uint8Array;
  /** Its constants, by index. */
  consts: BlobConstant[];
  /** Innermost first. */
  handlers: BlobHandler[];
  /** pc, line pairs, pc ascending. */
  lines: number[];
  /** pc ascending. */
  statements: BlobStatement[];
  /** Parameters first, then in order of declaration. */
  debugLocals: BlobLocal[];
}
export function encodeBlobMethod(v: BlobMethod): Uint8Array {
  const w = new WireWriter('blob_method');
  writeBlobMethod(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeBlobMethod(p: Uint8Array): BlobMethod {
  const r = new WireReader(p, 'blob_method');
  const v = readBlobMethod(r);
  r.end();
  return v;
}
function readBlobMethod(r: WireReader): BlobMethod {
  const name_ = r.str("blob_method.name");
  const flags_ = r.u32("blob_method.flags");
  const argc_ = r.u32("blob_method.argc");
  const locals_ = r.u32("blob_method.locals");
  const maxStack_ = r.u32("blob_method.max_stack");
  const native_ = r.u32("blob_method.native");
  const vindex_ = r.i32("blob_method.vindex");
  const codeLen_ = r.u32("blob_method.code_len");
  r.atMost(codeLen_, CLASS_BLOB_MAX_CODE, "blob_method.code_len", "CLASS_BLOB_MAX_CODE");
  const code_ = r.bytes(codeLen_, "blob_method.code");
  const constCount_ = r.u32("blob_method.const_count");
  r.atMost(constCount_, 65535, "blob_method.const_count", "MAX_CONSTS");
  const consts_: BlobConstant[] = [];
  for (let i = 0; i < constCount_; i++) consts_.push(readBlobConstant(r));
  const handlerCount_ = r.u32("blob_method.handler_count");
  r.atMost(handlerCount_, CLASS_BLOB_MAX_HANDLERS, "blob_method.handler_count", "CLASS_BLOB_MAX_HANDLERS");
  const handlers_: BlobHandler[] = [];
  for (let i = 0; i < handlerCount_; i++) handlers_.push(readBlobHandler(r));
  const lineCount_ = r.u32("blob_method.line_count");
  r.atMost(lineCount_, CLASS_BLOB_MAX_LINES, "blob_method.line_count", "CLASS_BLOB_MAX_LINES");
  const lines_: number[] = [];
  for (let i = 0; i < lineCount_; i++) lines_.push(r.i32("blob_method.lines[]"));
  const statementCount_ = r.u32("blob_method.statement_count");
  r.atMost(statementCount_, CLASS_BLOB_MAX_STATEMENTS, "blob_method.statement_count", "CLASS_BLOB_MAX_STATEMENTS");
  const statements_: BlobStatement[] = [];
  for (let i = 0; i < statementCount_; i++) statements_.push(readBlobStatement(r));
  const debugLocalCount_ = r.u32("blob_method.debug_local_count");
  r.atMost(debugLocalCount_, CLASS_BLOB_MAX_DEBUG_LOCALS, "blob_method.debug_local_count", "CLASS_BLOB_MAX_DEBUG_LOCALS");
  const debugLocals_: BlobLocal[] = [];
  for (let i = 0; i < debugLocalCount_; i++) debugLocals_.push(readBlobLocal(r));
  return { name: name_, flags: flags_, argc: argc_, locals: locals_, maxStack: maxStack_, native: native_, vindex: vindex_, code: code_, consts: consts_, handlers: handlers_, lines: lines_, statements: statements_, debugLocals: debugLocals_ };
}
function writeBlobMethod(w: WireWriter, v: BlobMethod): void {
  w.str(v.name, "blob_method.name");
  w.u32(v.flags, "blob_method.flags");
  w.u32(v.argc, "blob_method.argc");
  w.u32(v.locals, "blob_method.locals");
  w.u32(v.maxStack, "blob_method.max_stack");
  w.u32(v.native, "blob_method.native");
  w.i32(v.vindex, "blob_method.vindex");
  w.u32(w.atMost(v.code.length, CLASS_BLOB_MAX_CODE, "blob_method.code_len", "CLASS_BLOB_MAX_CODE"), "blob_method.code_len");
  w.raw(v.code);
  w.u32(w.atMost(v.consts.length, 65535, "blob_method.const_count", "MAX_CONSTS"), "blob_method.const_count");
  for (const e of v.consts) writeBlobConstant(w, e);
  w.u32(w.atMost(v.handlers.length, CLASS_BLOB_MAX_HANDLERS, "blob_method.handler_count", "CLASS_BLOB_MAX_HANDLERS"), "blob_method.handler_count");
  for (const e of v.handlers) writeBlobHandler(w, e);
  w.u32(w.atMost(v.lines.length, CLASS_BLOB_MAX_LINES, "blob_method.line_count", "CLASS_BLOB_MAX_LINES"), "blob_method.line_count");
  for (const e of v.lines) w.i32(e, "blob_method.lines[]");
  w.u32(w.atMost(v.statements.length, CLASS_BLOB_MAX_STATEMENTS, "blob_method.statement_count", "CLASS_BLOB_MAX_STATEMENTS"), "blob_method.statement_count");
  for (const e of v.statements) writeBlobStatement(w, e);
  w.u32(w.atMost(v.debugLocals.length, CLASS_BLOB_MAX_DEBUG_LOCALS, "blob_method.debug_local_count", "CLASS_BLOB_MAX_DEBUG_LOCALS"), "blob_method.debug_local_count");
  for (const e of v.debugLocals) writeBlobLocal(w, e);
}

/** Where a statement starts: its first instruction and its source position. */
export interface BlobStatement {
  /** The statement's first instruction. */
  pc: number;
  /** 1-based line. */
  line: number;
  /** 1-based column (UTF-16 code units). */
  column: number;
}
export function encodeBlobStatement(v: BlobStatement): Uint8Array {
  const w = new WireWriter('blob_statement');
  writeBlobStatement(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeBlobStatement(p: Uint8Array): BlobStatement {
  const r = new WireReader(p, 'blob_statement');
  const v = readBlobStatement(r);
  r.end();
  return v;
}
function readBlobStatement(r: WireReader): BlobStatement {
  const pc_ = r.u32("blob_statement.pc");
  const line_ = r.u32("blob_statement.line");
  const column_ = r.u32("blob_statement.column");
  return { pc: pc_, line: line_, column: column_ };
}
function writeBlobStatement(w: WireWriter, v: BlobStatement): void {
  w.u32(v.pc, "blob_statement.pc");
  w.u32(v.line, "blob_statement.line");
  w.u32(v.column, "blob_statement.column");
}

/** A local variable: the slot holding it over a pc range. */
export interface BlobLocal {
  /** Its name. */
  name: string;
  /** Its frame slot (< MAX_LOCALS). */
  slot: number;
  /** First pc at which the slot holds it. */
  start: number;
  /** First pc after the range. */
  end: number;
}
export function encodeBlobLocal(v: BlobLocal): Uint8Array {
  const w = new WireWriter('blob_local');
  writeBlobLocal(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeBlobLocal(p: Uint8Array): BlobLocal {
  const r = new WireReader(p, 'blob_local');
  const v = readBlobLocal(r);
  r.end();
  return v;
}
function readBlobLocal(r: WireReader): BlobLocal {
  const name_ = r.str("blob_local.name");
  const slot_ = r.u32("blob_local.slot");
  const start_ = r.u32("blob_local.start");
  const end_ = r.u32("blob_local.end");
  return { name: name_, slot: slot_, start: start_, end: end_ };
}
function writeBlobLocal(w: WireWriter, v: BlobLocal): void {
  w.str(v.name, "blob_local.name");
  w.u32(v.slot, "blob_local.slot");
  w.u32(v.start, "blob_local.start");
  w.u32(v.end, "blob_local.end");
}

/** blob_constant.kind: A string. */
export const BLOB_CONSTANT_STRING = 1;
/** blob_constant.kind: A class. */
export const BLOB_CONSTANT_CLASS = 2;
/** blob_constant.kind: A method. */
export const BLOB_CONSTANT_METHOD = 3;
/** A method's constant, by name: the kernel resolves it in the running machine. */
export type BlobConstant =
  | {
    kind: typeof BLOB_CONSTANT_STRING;
    /** Its bytes. */
    value: string;
    }
  | {
    kind: typeof BLOB_CONSTANT_CLASS;
    /** Its full name. */
    name: string;
    }
  | {
    kind: typeof BLOB_CONSTANT_METHOD;
    /** Full name of its class. */
    owner: string;
    /** Its name. */
    name: string;
    };
export function encodeBlobConstant(v: BlobConstant): Uint8Array {
  const w = new WireWriter('blob_constant');
  writeBlobConstant(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeBlobConstant(p: Uint8Array): BlobConstant {
  const r = new WireReader(p, 'blob_constant');
  const v = readBlobConstant(r);
  r.end();
  return v;
}
function readBlobConstant(r: WireReader): BlobConstant {
  const kind_ = r.u8("blob_constant.kind");
  switch (kind_) {
    case BLOB_CONSTANT_STRING: {
      const value_ = r.str("blob_constant.value");
      return { kind: BLOB_CONSTANT_STRING, value: value_ };
    }
    case BLOB_CONSTANT_CLASS: {
      const name_ = r.str("blob_constant.name");
      return { kind: BLOB_CONSTANT_CLASS, name: name_ };
    }
    case BLOB_CONSTANT_METHOD: {
      const owner_ = r.str("blob_constant.owner");
      const name_ = r.str("blob_constant.name");
      return { kind: BLOB_CONSTANT_METHOD, owner: owner_, name: name_ };
    }
    default:
      throw new WireError(`blob_constant.kind is ${kind_}, not one of 1, 2, 3`);
  }
}
function writeBlobConstant(w: WireWriter, v: BlobConstant): void {
  switch (v.kind) {
    case BLOB_CONSTANT_STRING:
      w.u8(v.kind, "blob_constant.kind");
      w.str(v.value, "blob_constant.value");
      return;
    case BLOB_CONSTANT_CLASS:
      w.u8(v.kind, "blob_constant.kind");
      w.str(v.name, "blob_constant.name");
      return;
    case BLOB_CONSTANT_METHOD:
      w.u8(v.kind, "blob_constant.kind");
      w.str(v.owner, "blob_constant.owner");
      w.str(v.name, "blob_constant.name");
      return;
  }
}

/** An exception handler. */
export interface BlobHandler {
  /** First pc it covers. */
  start: number;
  /** First pc after the range it covers. */
  end: number;
  /** pc it jumps to. */
  handler: number;
  /** Constant index of the class it catches; -1 for any. */
  classConst: number;
}
export function encodeBlobHandler(v: BlobHandler): Uint8Array {
  const w = new WireWriter('blob_handler');
  writeBlobHandler(w, v);
  return w.finish();
}
/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */
export function decodeBlobHandler(p: Uint8Array): BlobHandler {
  const r = new WireReader(p, 'blob_handler');
  const v = readBlobHandler(r);
  r.end();
  return v;
}
function readBlobHandler(r: WireReader): BlobHandler {
  const start_ = r.u32("blob_handler.start");
  const end_ = r.u32("blob_handler.end");
  const handler_ = r.u32("blob_handler.handler");
  const classConst_ = r.i32("blob_handler.class_const");
  return { start: start_, end: end_, handler: handler_, classConst: classConst_ };
}
function writeBlobHandler(w: WireWriter, v: BlobHandler): void {
  w.u32(v.start, "blob_handler.start");
  w.u32(v.end, "blob_handler.end");
  w.u32(v.handler, "blob_handler.handler");
  w.i32(v.classConst, "blob_handler.class_const");
}
