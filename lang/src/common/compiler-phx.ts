/**
 * The `.phx` file `phc build` writes: a CompiledProgram as JSON, with each method's bytecode in
 * base64. Reading validates every field, so a damaged or foreign file gives one clear error
 * instead of a half-built program. docs/language.md describes the format.
 */
import type {
  CompiledClass,
  CompiledConst,
  CompiledDebugInfo,
  CompiledHandler,
  CompiledMethod,
  CompiledProgram,
} from './compiled.js';
import { FORMAT_VERSION, MAX_LOCALS } from './spec/generated.js';

export const PHX_FORMAT = 'phantom-compiled-program';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? B64[n & 63]! : '=';
  }
  return out;
}

export function fromBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text[i + j]!;
      const v = c === '=' && i + j >= text.length - pad ? 0 : B64_INDEX.get(c);
      if (v === undefined) return null;
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

export function programToPhx(program: CompiledProgram): string {
  return JSON.stringify({
    format: PHX_FORMAT,
    formatVersion: program.formatVersion,
    classes: program.classes.map((c) => ({
      ...c,
      methods: c.methods.map((m) => ({ ...m, code: toBase64(m.code) })),
    })),
  });
}

class PhxError extends Error {}

function fail(where: string, what: string): never {
  throw new PhxError(`${where}: ${what}`);
}

type Json = Record<string, unknown>;

const obj = (v: unknown, where: string): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : fail(where, 'expected an object');
const arr = (v: unknown, where: string): unknown[] =>
  Array.isArray(v) ? v : fail(where, 'expected an array');
const str = (v: unknown, where: string): string =>
  typeof v === 'string' ? v : fail(where, 'expected a string');
const int = (v: unknown, where: string): number =>
  Number.isSafeInteger(v) ? (v as number) : fail(where, 'expected an integer');

function readConst(v: unknown, where: string): CompiledConst {
  const o = obj(v, where);
  switch (o.kind) {
    case 'string':
      return { kind: 'string', value: str(o.value, `${where}.value`) };
    case 'class':
      return { kind: 'class', name: str(o.name, `${where}.name`) };
    case 'method':
      return { kind: 'method', owner: str(o.owner, `${where}.owner`), name: str(o.name, `${where}.name`) };
    default:
      return fail(where, 'unknown constant kind');
  }
}

/** Debug info is optional (files from before it); when present, every number must make sense for `codeLength`. */
function readDebug(v: unknown, codeLength: number, where: string): CompiledDebugInfo {
  const o = obj(v, where);
  const statements = arr(o.statements, `${where}.statements`).map((n, i) =>
    int(n, `${where}.statements[${i}]`),
  );
  if (statements.length % 3 !== 0) fail(`${where}.statements`, 'expected pc, line, column triples');
  for (let i = 0; i < statements.length; i += 3) {
    const [pc, line, column] = statements.slice(i, i + 3) as [number, number, number];
    if (pc < 0 || pc > codeLength || (i > 0 && pc <= statements[i - 3]!))
      fail(`${where}.statements[${i}]`, `pc ${pc} is not ascending within the code (${codeLength} bytes)`);
    if (line < 1 || column < 1) fail(`${where}.statements[${i + 1}]`, 'lines and columns start at 1');
  }
  const locals = arr(o.locals, `${where}.locals`).map((l, i) => {
    const at = `${where}.locals[${i}]`;
    const lo = obj(l, at);
    const local = {
      name: str(lo.name, `${at}.name`),
      slot: int(lo.slot, `${at}.slot`),
      start: int(lo.start, `${at}.start`),
      end: int(lo.end, `${at}.end`),
    };
    if (local.slot < 0 || local.slot >= MAX_LOCALS)
      fail(`${at}.slot`, `not a local slot (0..${MAX_LOCALS - 1})`);
    if (local.start < 0 || local.end < local.start || local.end > codeLength)
      fail(at, `pc range [${local.start}, ${local.end}) is not within the code (${codeLength} bytes)`);
    return local;
  });
  return { statements, locals };
}

function readMethod(v: unknown, where: string): CompiledMethod {
  const o = obj(v, where);
  const code = fromBase64(str(o.code, `${where}.code`)) ?? fail(`${where}.code`, 'not base64');
  const handlers: CompiledHandler[] = arr(o.handlers, `${where}.handlers`).map((h, i) => {
    const ho = obj(h, `${where}.handlers[${i}]`);
    return {
      start: int(ho.start, `${where}.handlers[${i}].start`),
      end: int(ho.end, `${where}.handlers[${i}].end`),
      handler: int(ho.handler, `${where}.handlers[${i}].handler`),
      classConst: int(ho.classConst, `${where}.handlers[${i}].classConst`),
    };
  });
  return {
    name: str(o.name, `${where}.name`),
    flags: int(o.flags, `${where}.flags`),
    argc: int(o.argc, `${where}.argc`),
    locals: int(o.locals, `${where}.locals`),
    maxStack: int(o.maxStack, `${where}.maxStack`),
    native: int(o.native, `${where}.native`),
    code,
    consts: arr(o.consts, `${where}.consts`).map((c, i) => readConst(c, `${where}.consts[${i}]`)),
    handlers,
    lines: arr(o.lines, `${where}.lines`).map((n, i) => int(n, `${where}.lines[${i}]`)),
    vindex: int(o.vindex, `${where}.vindex`),
    signature: str(o.signature, `${where}.signature`),
    ...(o.debug === undefined ? {} : { debug: readDebug(o.debug, code.length, `${where}.debug`) }),
  };
}

function readClass(v: unknown, where: string): CompiledClass {
  const o = obj(v, where);
  const name = str(o.name, `${where}.name`);
  return {
    name,
    superName: o.superName === null ? null : str(o.superName, `${where}.superName`),
    internalId: int(o.internalId, `${where}.internalId`),
    kind: int(o.kind, `${where}.kind`),
    fieldNames: arr(o.fieldNames, `${where}.fieldNames`).map((f, i) => str(f, `${where}.fieldNames[${i}]`)),
    vtable: arr(o.vtable, `${where}.vtable`).map((e, i) => {
      const pair = arr(e, `${where}.vtable[${i}]`);
      if (pair.length !== 2) fail(`${where}.vtable[${i}]`, 'expected [owner, name]');
      return [str(pair[0], `${where}.vtable[${i}][0]`), str(pair[1], `${where}.vtable[${i}][1]`)] as const;
    }),
    methods: arr(o.methods, `${where}.methods`).map((m, i) => readMethod(m, `${name}.methods[${i}]`)),
    file: str(o.file, `${where}.file`),
  };
}

/** Parses a .phx text; a string result is what is wrong with it. */
export function programFromPhx(text: string): CompiledProgram | string {
  try {
    const o = obj(JSON.parse(text), 'file');
    if (o.format !== PHX_FORMAT) return `not a ${PHX_FORMAT} file`;
    const formatVersion = int(o.formatVersion, 'formatVersion');
    if (formatVersion !== FORMAT_VERSION)
      return `format version ${formatVersion}, this compiler reads version ${FORMAT_VERSION}`;
    return { formatVersion, classes: arr(o.classes, 'classes').map((c, i) => readClass(c, `classes[${i}]`)) };
  } catch (e) {
    if (e instanceof PhxError) return e.message;
    if (e instanceof SyntaxError) return `not JSON: ${e.message}`;
    throw e;
  }
}
