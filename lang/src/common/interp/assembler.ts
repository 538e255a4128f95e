/**
 * A small assembler for hand-written programs: bytecode from mnemonics (driven by the generated
 * opcode table), classes laid out the way the compiler lays them out (inherited fields and vtable
 * entries first, overrides in place), and the system classes of natives.def as native methods.
 * Tests and benchmarks use it to build a CompiledProgram without the compiler; it is also a
 * readable way to write a differential test case for the kernel.
 *
 * Code syntax, one instruction per line: `NAME operands…`, `label:` on its own line, `; comment`.
 * I16 operands take `@label`; U16_U8 operands are two numbers (index argc).
 */
import type { CompiledClass, CompiledHandler, CompiledMethod, CompiledProgram } from '../compiled.js';
import * as L from '../spec/generated.js';

const OPS = new Map(L.OPCODES.map((o) => [o.name, o]));

export interface Assembled {
  readonly code: Uint8Array;
  /** Label → pc. */
  readonly labels: ReadonlyMap<string, number>;
}

export function assemble(source: string): Assembled {
  const lines = source
    .split('\n')
    .map((l) => l.replace(/;.*/, '').trim())
    .filter((l) => l.length > 0);
  const labels = new Map<string, number>();
  let pc = 0;
  for (const line of lines) {
    if (line.endsWith(':')) {
      labels.set(line.slice(0, -1), pc);
      continue;
    }
    const op = OPS.get(line.split(/\s+/)[0]!);
    if (!op) throw new Error(`assemble: unknown instruction "${line}"`);
    pc += 1 + op.operandBytes;
  }
  const out: number[] = [];
  const put = (value: number, bytes: number) => {
    for (let b = 0; b < bytes; b++) out.push((value >> (8 * b)) & 0xff);
  };
  for (const line of lines) {
    if (line.endsWith(':')) continue;
    const [name, ...operands] = line.split(/\s+/);
    const op = OPS.get(name!)!;
    const next = out.length + 1 + op.operandBytes;
    const value = (text: string | undefined): number => {
      if (text === undefined) throw new Error(`assemble: "${line}" needs an operand`);
      if (text.startsWith('@')) {
        const target = labels.get(text.slice(1));
        if (target === undefined) throw new Error(`assemble: unknown label ${text}`);
        return target - next;
      }
      const n = Number(text);
      if (!Number.isInteger(n)) throw new Error(`assemble: bad operand "${text}" in "${line}"`);
      return n;
    };
    out.push(op.code);
    switch (op.operands) {
      case 'NONE':
        break;
      case 'U8':
        put(value(operands[0]), 1);
        break;
      case 'U16':
      case 'I16':
        put(value(operands[0]), 2);
        break;
      case 'I32':
        put(value(operands[0]), 4);
        break;
      case 'U16_U8':
        put(value(operands[0]), 2);
        put(value(operands[1]), 1);
        break;
      default:
        throw new Error(`assemble: operand kind ${op.operands}`);
    }
  }
  return { code: Uint8Array.from(out), labels };
}

/** A method as a test writes it: code in mnemonics, handlers by label. */
export interface MethodSpec {
  readonly name: string;
  readonly isStatic?: boolean;
  readonly returns?: boolean;
  /** Argument slots, receiver included for instance methods. */
  readonly argc: number;
  readonly locals?: number;
  readonly maxStack?: number;
  readonly native?: number;
  readonly code?: string;
  readonly consts?: CompiledMethod['consts'];
  /** [startLabel, endLabel, handlerLabel, classConst or -1]. */
  readonly handlers?: readonly [string, string, string, number][];
  /** [label, line] pairs. */
  readonly lines?: readonly [string, number][];
}

export interface ClassSpec {
  readonly name: string;
  readonly superName?: string | null;
  readonly internalId?: number;
  readonly kind?: number;
  /** Fields this class declares (inherited ones come first automatically). */
  readonly fields?: readonly string[];
  readonly methods?: readonly MethodSpec[];
}

function method(spec: MethodSpec, vindex: number): CompiledMethod {
  const assembled =
    spec.code === undefined
      ? { code: new Uint8Array(0), labels: new Map<string, number>() }
      : assemble(spec.code);
  const at = (label: string): number => {
    const pc = assembled.labels.get(label);
    if (pc === undefined) throw new Error(`${spec.name}: unknown label ${label}`);
    return pc;
  };
  const handlers: CompiledHandler[] = (spec.handlers ?? []).map(([start, end, handler, classConst]) => ({
    start: at(start),
    end: at(end),
    handler: at(handler),
    classConst,
  }));
  const isCtor = spec.name === '<init>';
  return {
    name: spec.name,
    flags: (spec.isStatic ? L.MF_STATIC : 0) | (isCtor ? L.MF_CTOR : 0) | (spec.returns ? L.MF_RETURNS : 0),
    argc: spec.argc,
    locals: spec.locals ?? spec.argc,
    maxStack: spec.maxStack ?? 16,
    native: spec.native ?? 0,
    code: assembled.code,
    consts: spec.consts ?? [],
    handlers,
    lines: (spec.lines ?? []).flatMap(([label, line]) => [at(label), line]),
    vindex,
    signature: '',
  };
}

/** Classes in order (superclasses first), with fields and vtables inherited as the compiler does. */
export function program(classes: readonly ClassSpec[]): CompiledProgram {
  const done = new Map<string, CompiledClass>();
  const out: CompiledClass[] = [];
  for (const spec of classes) {
    const superName = spec.superName === undefined ? '.internal.object' : spec.superName;
    const parent = superName === null ? undefined : done.get(superName);
    if (superName !== null && !parent)
      throw new Error(`class ${spec.name}: superclass ${superName} comes later or is missing`);
    const vtable: (readonly [string, string])[] = [...(parent?.vtable ?? [])];
    const methods = (spec.methods ?? []).map((m) => {
      if (m.isStatic || m.name === '<init>') return method(m, -1);
      let vindex = vtable.findIndex(([, name]) => name === m.name);
      if (vindex < 0) vindex = vtable.push([spec.name, m.name]) - 1;
      else vtable[vindex] = [spec.name, m.name];
      return method(m, vindex);
    });
    const cls: CompiledClass = {
      name: spec.name,
      superName,
      internalId: spec.internalId ?? 0,
      kind: spec.kind ?? L.KIND_SLOTS,
      fieldNames: [...(parent?.fieldNames ?? []), ...(spec.fields ?? [])],
      vtable,
      methods,
      file: 'assembled',
    };
    done.set(spec.name, cls);
    out.push(cls);
  }
  return { formatVersion: L.FORMAT_VERSION, classes: out };
}

/** The system classes with their natives.def methods, as ClassSpecs to put before a program's. */
export function systemClasses(): ClassSpec[] {
  return L.INTERNAL_CLASSES.filter((c) => c.id !== L.CID_BOOT).map((c) => ({
    name: c.fullName,
    superName: c.id === L.CID_OBJECT ? null : '.internal.object',
    internalId: c.id,
    kind: c.kind === 'KIND_BYTES' ? L.KIND_BYTES : L.KIND_SLOTS,
    fields: c.id === L.CID_ERROR ? ['message'] : [],
    methods: [
      ...L.NATIVES.filter((n) => n.className === c.fullName).map((n) => ({
        name: n.method,
        isStatic: n.isStatic,
        returns: !n.signature.endsWith(')void'),
        argc: n.argc,
        native: n.id,
      })),
      // As in the prelude: only a method of .internal.error may write its message (PUT_FIELD).
      ...(c.id === L.CID_ERROR
        ? [{ name: '<init>', argc: 2, code: 'LOAD 0\nLOAD 1\nPUT_FIELD 0\nRET_VOID' }]
        : []),
    ],
  }));
}
