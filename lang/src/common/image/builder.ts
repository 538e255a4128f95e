/**
 * The image builder: places a CompiledProgram in a fresh object space ("generation 0"): the
 * internal classes (indexed by CID in ROOT_CLASSES, made up from layout.def when the program's
 * prelude does not declare one), the program's classes with their methods, code, constants
 * resolved to references, and strings; the array classes the constants name (`.t.dog[]`, with
 * the superclasses they need) and `.internal.string[]`, in ROOT_ARRAY_CLASSES (object-format.md,
 * "Arrays and their classes"); the root with an empty root directory; and one initial
 * thread per main class, whose first frame runs a generated method of `.internal.boot` that does
 * `new C().run()` (`run` is an instance method without arguments; its result, if any, is
 * dropped). The boot method is named `main` for the first main class, `main2`, `main3`, ... for
 * the others.
 *
 * Bad input (unknown names, a main class without run(), limits exceeded, a space too small)
 * throws an ImageError that says what is wrong. Not here: the store format (store/).
 */
import type { CompiledClass, CompiledConst, CompiledMethod, CompiledProgram } from '../compiled.js';
import * as L from '../spec/generated.js';
import { Space, smallInt } from './space.js';

export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

export interface BuildOptions {
  /** Object-space size in bytes (multiple of PAGE_SIZE, SPACE_SIZE_MIN..SPACE_SIZE_MAX); default SPACE_SIZE_DEFAULT. */
  readonly spaceBytes?: number;
  /** Full names of the classes to start, one initial thread each, in order. */
  readonly mainClasses: readonly string[];
}

const BOOT_CLASS = '.internal.boot';
const OBJECT_CLASS = '.internal.object';
const ARRAY_CLASS = '.internal.array';
/** An array class is named by its element's run-time name and this suffix: `.a.b[]`, `int[][]`. */
const ARRAY_SUFFIX = '[]';
/** CLASS_ELEMENT of the arrays of small integers. */
const INT_ELEMENTS = new Map([
  ['int', L.ELEM_INT],
  ['boolean', L.ELEM_BOOLEAN],
]);
/** The class of the arrays directory.keys returns: every image has it. */
const STRING_ARRAY_CLASS = '.internal.string[]';
/** Capacity of the root directory's key and value arrays in a fresh image. */
const ROOT_DIRECTORY_CAPACITY = 8;

const internalSpec = new Map(L.INTERNAL_CLASSES.map((c) => [c.id, c]));

/** Name of the boot method of the i-th main class. */
export const bootMethodName = (i: number): string => (i === 0 ? 'main' : `main${i + 1}`);

function encodeBoot(parts: (number | [op: number, ...operands: [number, number][]])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') {
      out.push(p);
      continue;
    }
    const [op, ...operands] = p;
    out.push(op);
    for (const [value, bytes] of operands)
      for (let b = 0; b < bytes; b++) out.push((value >> (8 * b)) & 0xff);
  }
  return Uint8Array.from(out);
}

/** Nearest `<init>` taking no arguments on `name` or its superclasses; null when the chain has none. */
function findConstructor(byName: Map<string, CompiledClass>, name: string): CompiledMethod | null {
  for (let c = byName.get(name); c; c = c.superName ? byName.get(c.superName) : undefined) {
    const ctor = c.methods.find((m) => m.name === '<init>');
    if (ctor) {
      if (ctor.argc !== 1) {
        throw new ImageError(
          `main class ${name}: constructor of ${c.name} takes arguments; \`new ${name}()\` needs none`,
        );
      }
      return ctor;
    }
  }
  return null;
}

function bootMethod(byName: Map<string, CompiledClass>, name: string, i: number): CompiledMethod {
  const cls = byName.get(name);
  if (!cls) {
    const program = [...byName.values()].filter((c) => c.internalId === 0).map((c) => c.name);
    throw new ImageError(
      `main class ${name} is not in the program (classes: ${program.join(', ') || 'none'})`,
    );
  }
  const vindex = cls.vtable.findIndex(([, m]) => m === 'run');
  if (vindex < 0) throw new ImageError(`main class ${name} has no instance method run()`);
  const [owner] = cls.vtable[vindex]!;
  const run = byName.get(owner)?.methods.find((m) => m.name === 'run');
  if (!run) throw new ImageError(`main class ${name}: vtable names ${owner}.run, which does not exist`);
  if (run.argc !== 1) throw new ImageError(`main class ${name}: run() must take no arguments`);
  const ctor = findConstructor(byName, name);
  const ctorOwner = ctor ? [...byName.values()].find((c) => c.methods.includes(ctor))!.name : '';
  const code = encodeBoot([
    [L.OP_NEW, [0, 2]],
    ...(ctor
      ? [L.OP_DUP, [L.OP_CALL_STATIC, [1, 2], [1, 1]] as [number, [number, number], [number, number]]]
      : []),
    [L.OP_CALL_VIRT, [vindex, 2], [1, 1]],
    ...(run.flags & L.MF_RETURNS ? [L.OP_POP] : []),
    L.OP_RET_VOID,
  ]);
  return {
    name: bootMethodName(i),
    flags: L.MF_STATIC,
    argc: 0,
    locals: 0,
    maxStack: ctor ? 2 : 1,
    native: 0,
    code,
    consts: [
      { kind: 'class', name },
      ...(ctor ? [{ kind: 'method', owner: ctorOwner, name: '<init>' } as const] : []),
    ],
    handlers: [],
    lines: [],
    vindex: -1,
    signature: '()void',
  };
}

function checkMethod(cls: CompiledClass, m: CompiledMethod): void {
  const where = `${cls.name}.${m.name}`;
  const fail = (why: string): never => {
    throw new ImageError(`${where}: ${why}`);
  };
  if (m.argc < 0 || m.locals < m.argc) fail(`${m.locals} locals cannot hold ${m.argc} arguments`);
  if (m.locals > L.MAX_LOCALS) fail(`${m.locals} locals, at most ${L.MAX_LOCALS}`);
  if (m.consts.length > L.MAX_CONSTS) fail(`${m.consts.length} constants, at most ${L.MAX_CONSTS}`);
  if (m.maxStack < 0 || m.maxStack > 0xffff) fail(`max stack ${m.maxStack} is out of range`);
  if (m.native !== 0 && !L.NATIVES.some((n) => n.id === m.native)) fail(`unknown native id ${m.native}`);
  if (m.native === 0 && m.code.length === 0) fail('has no code');
  if (m.lines.length % 2 !== 0) fail('lines table has an odd length');
}

/** Builds the object space of generation 0; returns its bytes (index 0 is SPACE_BASE). */
export function buildSpace(program: CompiledProgram, opts: BuildOptions): Uint8Array {
  const size = opts.spaceBytes ?? L.SPACE_SIZE_DEFAULT;
  if (
    !Number.isInteger(size) ||
    size % L.PAGE_SIZE !== 0 ||
    size < L.SPACE_SIZE_MIN ||
    size > L.SPACE_SIZE_MAX
  ) {
    throw new ImageError(
      `object-space size ${size} must be a multiple of ${L.PAGE_SIZE} in ${L.SPACE_SIZE_MIN}..${L.SPACE_SIZE_MAX}`,
    );
  }
  if (program.formatVersion !== L.FORMAT_VERSION) {
    throw new ImageError(
      `program has format version ${program.formatVersion}; this builder writes ${L.FORMAT_VERSION}`,
    );
  }
  if (opts.mainClasses.length === 0)
    throw new ImageError('no main class given: an image needs at least one thread');

  // Every class the image holds: the program's, plus made-up internal classes it lacks.
  const byName = new Map<string, CompiledClass>();
  const internal = new Map<number, CompiledClass>();
  for (const c of program.classes) {
    if (byName.has(c.name)) throw new ImageError(`class ${c.name} is defined twice`);
    byName.set(c.name, c);
    if (c.internalId !== 0) {
      const spec = internalSpec.get(c.internalId);
      if (!spec) throw new ImageError(`class ${c.name}: unknown internal id ${c.internalId}`);
      if (spec.fullName !== c.name)
        throw new ImageError(`class ${c.name} claims internal id ${c.internalId} of ${spec.fullName}`);
      internal.set(c.internalId, c);
    }
  }
  for (const spec of L.INTERNAL_CLASSES) {
    if (internal.has(spec.id)) continue;
    const made: CompiledClass = {
      name: spec.fullName,
      superName: spec.id === L.CID_OBJECT ? null : OBJECT_CLASS,
      internalId: spec.id,
      kind: spec.kind === 'KIND_BYTES' ? L.KIND_BYTES : L.KIND_SLOTS,
      fieldNames: [],
      vtable: byName.get(OBJECT_CLASS)?.vtable ?? [],
      methods: [],
      file: '',
    };
    if (byName.has(made.name)) throw new ImageError(`class ${made.name} must have internal id ${spec.id}`);
    byName.set(made.name, made);
    internal.set(spec.id, made);
  }
  const boots = opts.mainClasses.map((name, i) => bootMethod(byName, name, i));
  const bootClass = internal.get(L.CID_BOOT)!;
  const bootWithMethods: CompiledClass = { ...bootClass, methods: [...bootClass.methods, ...boots] };
  byName.set(BOOT_CLASS, bootWithMethods);
  internal.set(L.CID_BOOT, bootWithMethods);
  const classes = [
    ...L.INTERNAL_CLASSES.map((s) => internal.get(s.id)!),
    ...program.classes.filter((c) => c.internalId === 0),
  ];

  const space = Space.create(size);
  const classRefs = new Map<string, number>();
  const alloc = (cid: number, kind: number, payloadBytes: number): number => {
    const ref = space.bump(classRefs.get(internal.get(cid)!.name) ?? 0, kind, payloadBytes);
    if (ref === 0) {
      throw new ImageError(
        `object space of ${size} bytes is too small for this image; give it more (--space)`,
      );
    }
    return ref;
  };
  for (const c of classes)
    classRefs.set(c.name, alloc(L.CID_CLASS, L.KIND_SLOTS, 4 * internalSlots(L.CID_CLASS)));
  const classClass = classRefs.get('.internal.class')!;
  for (const ref of classRefs.values()) space.words[space.headerIndex(ref)] = classClass;

  const strings = new Map<string, number>();
  const string = (text: string): number => {
    let ref = strings.get(text);
    if (ref === undefined) {
      const bytes = Space.encode(text);
      ref = alloc(L.CID_STRING, L.KIND_BYTES, bytes.length);
      space.bytes.set(bytes, space.payloadOffset(ref));
      strings.set(text, ref);
    }
    return ref;
  };
  const array = (values: readonly number[]): number => {
    const ref = alloc(L.CID_ARRAY, L.KIND_SLOTS, 4 * values.length);
    values.forEach((v, i) => {
      space.setSlot(ref, i, v);
    });
    return ref;
  };
  const classRef = (name: string, context: string): number => {
    const ref = classRefs.get(name) ?? (name.endsWith(ARRAY_SUFFIX) ? arrayClass(name, context) : undefined);
    if (ref === undefined) throw new ImageError(`${context}: class ${name} is not defined`);
    return ref;
  };
  /** The superclass's name of a class or array class (null for .internal.object). */
  const superNameOf = (name: string, context: string): string | null => {
    if (!name.endsWith(ARRAY_SUFFIX)) {
      const c = byName.get(name);
      if (c === undefined) throw new ImageError(`${context}: class ${name} is not defined`);
      return c.superName;
    }
    const element = name.slice(0, -ARRAY_SUFFIX.length);
    if (INT_ELEMENTS.has(element) || element === OBJECT_CLASS) return ARRAY_CLASS;
    return `${superNameOf(element, context)}${ARRAY_SUFFIX}`;
  };
  // Array classes, made when a constant first names one (NEW_ARRAY, CHECKCAST, INSTANCEOF).
  const arrayClasses: number[] = [];
  const arrayClass = (name: string, context: string): number => {
    const element = name.slice(0, -ARRAY_SUFFIX.length);
    const elementRef = smallInt(INT_ELEMENTS.get(element) ?? 0) || classRef(element, context);
    const superRef = classRef(superNameOf(name, context)!, context);
    const ref = alloc(L.CID_CLASS, L.KIND_SLOTS, 4 * internalSlots(L.CID_CLASS));
    classRefs.set(name, ref);
    arrayClasses.push(ref);
    const arrayVtable = internal.get(L.CID_ARRAY)!.vtable;
    space.setSlot(ref, L.CLASS_NAME, string(name));
    space.setSlot(ref, L.CLASS_SUPER, superRef);
    space.setSlot(ref, L.CLASS_VTABLE, array(arrayVtable.map(([owner, m]) => methodRef(owner, m, context))));
    space.setSlot(ref, L.CLASS_FIELD_COUNT, smallInt(0));
    space.setSlot(ref, L.CLASS_FIELD_NAMES, array([]));
    space.setSlot(ref, L.CLASS_KIND, smallInt(L.KIND_SLOTS));
    space.setSlot(ref, L.CLASS_INTERNAL_ID, smallInt(L.CID_ARRAY));
    space.setSlot(ref, L.CLASS_METHODS, array([]));
    space.setSlot(ref, L.CLASS_ELEMENT, elementRef);
    return ref;
  };

  // Methods first (so constants and vtables can refer to any of them), then their constants.
  const methodRefs = new Map<string, number>();
  const methodKey = (owner: string, name: string) => `${owner}\u0000${name}`;
  const placed: [CompiledClass, CompiledMethod, number][] = [];
  for (const c of classes) {
    for (const m of c.methods) {
      checkMethod(c, m);
      if (methodRefs.has(methodKey(c.name, m.name)))
        throw new ImageError(`${c.name}.${m.name} is defined twice`);
      const slots = internalSlots(L.CID_METHOD) + (m.debug === undefined ? 0 : 1);
      const ref = alloc(L.CID_METHOD, L.KIND_SLOTS, 4 * slots);
      methodRefs.set(methodKey(c.name, m.name), ref);
      placed.push([c, m, ref]);
    }
  }
  const methodRef = (owner: string, name: string, context: string): number => {
    const ref = methodRefs.get(methodKey(owner, name));
    if (ref === undefined) throw new ImageError(`${context}: method ${owner}.${name} is not defined`);
    return ref;
  };
  const constant = (k: CompiledConst, context: string): number => {
    switch (k.kind) {
      case 'string':
        return string(k.value);
      case 'class':
        return classRef(k.name, context);
      case 'method':
        return methodRef(k.owner, k.name, context);
      default:
        throw new ImageError(`${context}: unknown constant kind ${(k as { kind: unknown }).kind}`);
    }
  };
  for (const [c, m, ref] of placed) {
    const context = `${c.name}.${m.name}`;
    space.setSlot(ref, L.METHOD_NAME, string(m.name));
    space.setSlot(ref, L.METHOD_OWNER, classRefs.get(c.name)!);
    if (m.native === 0) {
      const code = alloc(L.CID_CODE, L.KIND_BYTES, m.code.length);
      space.bytes.set(m.code, space.payloadOffset(code));
      space.setSlot(ref, L.METHOD_CODE, code);
    }
    space.setSlot(ref, L.METHOD_CONSTS, array(m.consts.map((k) => constant(k, context))));
    space.setSlot(ref, L.METHOD_ARGC, smallInt(m.argc));
    space.setSlot(ref, L.METHOD_LOCALS, smallInt(m.locals));
    space.setSlot(ref, L.METHOD_MAX_STACK, smallInt(m.maxStack));
    space.setSlot(ref, L.METHOD_NATIVE, smallInt(m.native));
    space.setSlot(ref, L.METHOD_FLAGS, smallInt(m.flags));
    for (const h of m.handlers) {
      if (h.classConst !== -1 && m.consts[h.classConst]?.kind !== 'class') {
        throw new ImageError(`${context}: handler catches constant ${h.classConst}, which is not a class`);
      }
    }
    space.setSlot(
      ref,
      L.METHOD_HANDLERS,
      array(m.handlers.flatMap((h) => [h.start, h.end, h.handler, h.classConst].map(smallInt))),
    );
    space.setSlot(ref, L.METHOD_LINES, array(m.lines.map(smallInt)));
    space.setSlot(ref, L.METHOD_VINDEX, smallInt(m.vindex));
    if (m.debug !== undefined) {
      const locals = m.debug.locals.flatMap((l) => [
        string(l.name),
        ...[l.slot, l.start, l.end].map(smallInt),
      ]);
      space.setSlot(
        ref,
        L.METHOD_DEBUG,
        array([string(c.file), array(m.debug.statements.map(smallInt)), array(locals)]),
      );
    }
  }

  for (const c of classes) {
    const ref = classRefs.get(c.name)!;
    const context = `class ${c.name}`;
    const spec = internalSpec.get(c.internalId);
    const fieldCount = Math.max(c.fieldNames.length, spec && spec.slots > 0 ? spec.slots : 0);
    space.setSlot(ref, L.CLASS_NAME, string(c.name));
    space.setSlot(ref, L.CLASS_SUPER, c.superName === null ? 0 : classRef(c.superName, context));
    space.setSlot(
      ref,
      L.CLASS_VTABLE,
      array(c.vtable.map(([owner, name]) => methodRef(owner, name, context))),
    );
    space.setSlot(ref, L.CLASS_FIELD_COUNT, smallInt(fieldCount));
    space.setSlot(ref, L.CLASS_FIELD_NAMES, array(c.fieldNames.map((n) => string(n))));
    space.setSlot(ref, L.CLASS_KIND, smallInt(c.kind));
    space.setSlot(ref, L.CLASS_INTERNAL_ID, smallInt(c.internalId));
    space.setSlot(
      ref,
      L.CLASS_METHODS,
      array(c.methods.map((m) => methodRefs.get(methodKey(c.name, m.name))!)),
    );
  }

  const root = alloc(L.CID_ROOT, L.KIND_SLOTS, 4 * internalSlots(L.CID_ROOT));
  space.setHeaderField(L.SH_ROOT, root);
  space.setSlot(
    root,
    L.ROOT_CLASSES,
    array([0, ...L.INTERNAL_CLASSES.map((s) => classRefs.get(s.fullName)!)]),
  );
  const directory = alloc(L.CID_DIRECTORY, L.KIND_SLOTS, 4 * internalSlots(L.CID_DIRECTORY));
  space.setSlot(directory, L.DIR_KEYS, array(new Array<number>(ROOT_DIRECTORY_CAPACITY).fill(0)));
  space.setSlot(directory, L.DIR_VALUES, array(new Array<number>(ROOT_DIRECTORY_CAPACITY).fill(0)));
  space.setSlot(root, L.ROOT_DIRECTORY, directory);
  let previous = 0;
  boots.forEach((boot, i) => {
    const frame = alloc(L.CID_FRAME, L.KIND_SLOTS, 4 * (L.FRAME_LOCALS + boot.locals + boot.maxStack));
    space.setSlot(frame, L.FRAME_METHOD, methodRef(BOOT_CLASS, boot.name, 'boot'));
    const thread = alloc(L.CID_THREAD, L.KIND_SLOTS, 4 * internalSlots(L.CID_THREAD));
    space.setSlot(thread, L.THREAD_FRAME, frame);
    space.setSlot(thread, L.THREAD_STATE, smallInt(L.TS_RUNNABLE));
    space.setSlot(thread, L.THREAD_ID, smallInt(i + 1));
    if (previous === 0) {
      space.setSlot(root, L.ROOT_THREADS, thread);
      space.setSlot(root, L.ROOT_CURRENT, thread);
    } else {
      space.setSlot(previous, L.THREAD_NEXT, thread);
    }
    previous = thread;
  });
  space.setSlot(root, L.ROOT_NEXT_THREAD_ID, smallInt(boots.length + 1));
  space.setSlot(
    root,
    L.ROOT_PROGRAM_CLASSES,
    array(program.classes.filter((c) => c.internalId === 0).map((c) => classRefs.get(c.name)!)),
  );
  space.setSlot(root, L.ROOT_MAIN_CLASS, classRefs.get(opts.mainClasses[0]!)!);
  classRef(STRING_ARRAY_CLASS, 'directory.keys');
  space.setSlot(root, L.ROOT_ARRAY_CLASSES, array(arrayClasses));
  // Nothing in a new image is garbage: it starts with the allowance a collection would leave.
  space.setHeaderField(L.SH_GC_ALLOWANCE, Math.max(L.GC_BUDGET_MIN, space.headerField(L.SH_LIVE_BYTES)));
  return space.bytes;
}

function internalSlots(cid: number): number {
  return internalSpec.get(cid)!.slots;
}
