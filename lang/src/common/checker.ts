/**
 * Declarations: turns parsed files into a class table — full names, superclasses, fields with
 * their slots (inherited first), methods with their signatures and vtable indices (inherited
 * first, overrides in place) — and the type rules the code generator checks bodies with.
 * Method bodies are checked and compiled in codegen.ts, in the same walk.
 */
import type { ClassDecl, FieldDecl, MethodDecl, SourceFile, Span, TypeNode } from './ast.js';
import type { DiagnosticSink } from './diagnostics.js';
import { PRELUDE_FILE_PREFIX } from './parser.js';
import { INTERNAL_CLASSES, KIND_BYTES, KIND_SLOTS, NATIVES } from './spec/generated.js';

export type Type =
  | { readonly k: 'int' | 'boolean' | 'void' | 'null' | 'any' | 'error' }
  | { readonly k: 'class'; readonly cls: ClassSym }
  | { readonly k: 'array'; readonly element: Type };

export const INT: Type = { k: 'int' };
export const BOOLEAN: Type = { k: 'boolean' };
export const VOID: Type = { k: 'void' };
export const NULL: Type = { k: 'null' };
export const ANY: Type = { k: 'any' };
/** The type of an expression that already has a diagnostic: accepted everywhere, so one mistake is reported once. */
export const ERROR: Type = { k: 'error' };

export const OBJECT_CLASS = '.internal.object';
export const STRING_CLASS = '.internal.string';
export const ARRAY_CLASS = '.internal.array';
export const ERROR_CLASS = '.internal.error';
export const CONSTRUCTOR = '<init>';

/** Where something was declared, for go-to-definition. */
export interface DeclSite {
  readonly unit: Unit;
  readonly span: Span;
}

/** One parsed file with what resolving names in it needs. */
export interface Unit {
  readonly ast: SourceFile;
  readonly sink: DiagnosticSink;
  readonly isPrelude: boolean;
  /** Simple names visible in the file (imports), to full class names. */
  readonly imports: Map<string, string>;
}

export interface FieldSym {
  readonly name: string;
  readonly slot: number;
  readonly type: Type;
  readonly owner: ClassSym;
  readonly decl: FieldDecl;
}

export interface MethodSym {
  readonly name: string;
  readonly owner: ClassSym;
  readonly decl: MethodDecl | null;
  readonly isStatic: boolean;
  readonly isConstructor: boolean;
  readonly params: readonly Type[];
  readonly returnType: Type;
  /** vtable index; -1 for static methods and constructors. */
  vindex: number;
  /** NATIVE id, 0 for bytecode methods. */
  readonly nativeId: number;
}

export interface ClassSym {
  readonly name: string;
  readonly decl: ClassDecl;
  readonly unit: Unit;
  superclass: ClassSym | null;
  readonly internalId: number;
  readonly kind: number;
  /** Every instance slot, inherited first. */
  fields: FieldSym[];
  readonly fieldsByName: Map<string, FieldSym>;
  /** Methods the class declares (a synthesised default constructor included). */
  readonly methods: Map<string, MethodSym>;
  vtable: MethodSym[];
  /** Declarations are resolved (fields, methods, vtable). */
  resolved: boolean;
}

/** Program code may create instances of these internal classes with `new`. */
const CONSTRUCTIBLE_INTERNAL = new Set([OBJECT_CLASS, ERROR_CLASS]);

/** Names that mean a class in every file without an import. */
const BUILTIN_NAMES: ReadonlyMap<string, string> = new Map([['string', STRING_CLASS]]);

/** A local variable or parameter, as the editor's features see it. */
export interface LocalSym {
  readonly name: string;
  readonly type: Type;
  /** Its name where it is declared. */
  readonly site: DeclSite;
  readonly isParameter: boolean;
  /** Offsets of its file where the name is in scope: from its declaration to the end of its block. */
  readonly scope: Span;
}

/** What a name stands for. */
export type Sym =
  | { readonly kind: 'class'; readonly cls: ClassSym }
  | { readonly kind: 'field'; readonly field: FieldSym }
  | { readonly kind: 'method'; readonly method: MethodSym }
  | { readonly kind: 'local'; readonly local: LocalSym };

/** Where a symbol is declared: its name in the declaration (a synthesised constructor: its class's). */
export function declSiteOf(sym: Sym): DeclSite {
  switch (sym.kind) {
    case 'class':
      return { unit: sym.cls.unit, span: sym.cls.decl.nameSpan };
    case 'field':
      return { unit: sym.field.owner.unit, span: sym.field.decl.nameSpan };
    case 'method': {
      const { owner, decl } = sym.method;
      return { unit: owner.unit, span: decl?.nameSpan ?? owner.decl.nameSpan };
    }
    case 'local':
      return sym.local.site;
  }
}

/** A use of a name and the declaration it resolved to (for go-to-definition, references, rename). */
export interface Reference {
  readonly unit: Unit;
  readonly span: Span;
  readonly target: DeclSite;
  readonly symbol: Sym;
}

export function referenceTo(unit: Unit, span: Span, symbol: Sym): Reference {
  return { unit, span, target: declSiteOf(symbol), symbol };
}

/** An expression the checker typed; one that names a class (`tty` in `tty.println(…)`) has `namesClass`. */
export interface TypedExpression {
  readonly unit: Unit;
  readonly span: Span;
  readonly type: Type;
  readonly namesClass?: ClassSym;
}

/**
 * What the checker notes for an editor while it checks (a build records nothing): every use of
 * a name, every expression's type, every local. The editor's features read only these, so they
 * see the program exactly as the compiler does.
 */
export interface Recorder {
  readonly references: Reference[];
  readonly expressions: TypedExpression[];
  readonly locals: LocalSym[];
}

export function newRecorder(): Recorder {
  return { references: [], expressions: [], locals: [] };
}

export class ClassTable {
  readonly classes = new Map<string, ClassSym>();
  /** Set to record references, types and locals while declaring and compiling. */
  recorder: Recorder | undefined;
  /** Classes in declaration order with every superclass before its subclasses. */
  readonly ordered: ClassSym[] = [];

  get(name: string): ClassSym | undefined {
    return this.classes.get(name);
  }

  classType(name: string): Type {
    const cls = this.classes.get(name);
    return cls === undefined ? ERROR : { k: 'class', cls };
  }

  isSubclass(sub: ClassSym, sup: ClassSym): boolean {
    for (let c: ClassSym | null = sub; c !== null; c = c.superclass) if (c === sup) return true;
    return false;
  }

  /** Whether a value of type `from` may be stored where `to` is expected. */
  assignable(from: Type, to: Type): boolean {
    if (from.k === 'error' || to.k === 'error') return true;
    switch (to.k) {
      case 'int':
      case 'boolean':
        return from.k === to.k;
      case 'void':
      case 'null':
        return false;
      case 'any':
        return isReference(from);
      case 'class':
        if (from.k === 'null') return true;
        if (to.cls.name === OBJECT_CLASS) return isReference(from);
        if (to.cls.name === ARRAY_CLASS && from.k === 'array') return true;
        return from.k === 'class' && this.isSubclass(from.cls, to.cls);
      case 'array':
        // Covariant for reference elements only, as the array classes' superclasses are
        // (runtimeClassName): an int[] is no any[], so no int can be read as a reference.
        if (from.k === 'null') return true;
        if (from.k !== 'array') return false;
        return (
          sameType(from.element, to.element) ||
          (isReference(from.element) && isReference(to.element) && this.assignable(from.element, to.element))
        );
    }
  }

  /** The class whose members a value of this type has (`any` and arrays have object's). */
  memberClass(t: Type): ClassSym | undefined {
    if (t.k === 'class') return t.cls;
    if (t.k === 'any' || t.k === 'array') return this.classes.get(OBJECT_CLASS);
    return undefined;
  }

  findField(cls: ClassSym, name: string): FieldSym | undefined {
    return cls.fieldsByName.get(name);
  }

  findMethod(cls: ClassSym, name: string): MethodSym | undefined {
    for (let c: ClassSym | null = cls; c !== null; c = c.superclass) {
      const m = c.methods.get(name);
      if (m !== undefined && !m.isConstructor) return m;
    }
    return undefined;
  }

  canInstantiate(cls: ClassSym): boolean {
    return cls.internalId === 0 || CONSTRUCTIBLE_INTERNAL.has(cls.name);
  }
}

/**
 * The run-time class of values of a reference type, by the name the image builder and the
 * kernel's INSTALL_CLASS resolve: `any` is `.internal.object`, and T[] is the array class named
 * by T's run-time name (`int` and `boolean` for those elements) followed by `[]`, so
 * `.demo.dog[][]`, `int[]`. Null for types that have no class (int, boolean, void, null).
 */
export function runtimeClassName(t: Type): string | null {
  switch (t.k) {
    case 'any':
      return OBJECT_CLASS;
    case 'class':
      return t.cls.name;
    case 'array': {
      const element =
        t.element.k === 'int' || t.element.k === 'boolean' ? t.element.k : runtimeClassName(t.element);
      return element === null ? null : `${element}[]`;
    }
    default:
      return null;
  }
}

export function isReference(t: Type): boolean {
  return t.k === 'class' || t.k === 'array' || t.k === 'any' || t.k === 'null' || t.k === 'error';
}

export function sameType(a: Type, b: Type): boolean {
  if (a.k === 'class') return b.k === 'class' && a.cls === b.cls;
  if (a.k === 'array') return b.k === 'array' && sameType(a.element, b.element);
  return a.k === b.k;
}

/** The language's own spelling, as in natives.def signatures: `int`, `string`, `.a.b.C`, `any[]`. */
export function typeName(t: Type): string {
  switch (t.k) {
    case 'class':
      return t.cls.name === STRING_CLASS ? 'string' : t.cls.name;
    case 'array':
      return `${typeName(t.element)}[]`;
    default:
      return t.k;
  }
}

export function signatureOf(m: MethodSym): string {
  return `(${m.params.map(typeName).join(',')})${typeName(m.returnType)}`;
}

export function makeUnit(ast: SourceFile, sink: DiagnosticSink): Unit {
  const imports = new Map<string, string>();
  for (const imp of ast.imports) imports.set(imp.simpleName, imp.path);
  return { ast, sink, isPrelude: ast.file.startsWith(PRELUDE_FILE_PREFIX), imports };
}

/** Resolves a written class name in a file: imports, then the file's package, then built-in names. */
export function resolveClassName(table: ClassTable, unit: Unit, name: string): ClassSym | undefined {
  if (name.startsWith('.')) return table.get(name);
  const imported = unit.imports.get(name);
  if (imported !== undefined) return table.get(imported);
  const local = table.get(`${unit.ast.packageName}.${name}`);
  if (local !== undefined) return local;
  const builtin = BUILTIN_NAMES.get(name);
  return builtin === undefined ? undefined : table.get(builtin);
}

/** A written type to a Type, reporting unknown class names. `void` only where `allowVoid`. */
export function resolveType(table: ClassTable, unit: Unit, node: TypeNode, allowVoid: boolean): Type {
  let base: Type;
  switch (node.name) {
    case 'int':
      base = INT;
      break;
    case 'boolean':
      base = BOOLEAN;
      break;
    case 'any':
      base = ANY;
      break;
    case 'void':
      if (!allowVoid || node.dims > 0) {
        unit.sink.error(node.start, node.end, 'PH303', "'void' is only a method's return type");
        return ERROR;
      }
      return VOID;
    default: {
      const cls = resolveClassName(table, unit, node.name);
      if (cls === undefined) {
        unit.sink.error(
          node.start,
          node.end,
          'PH301',
          `unknown class '${node.name}'${importHint(node.name)}`,
        );
        return ERROR;
      }
      table.recorder?.references.push(referenceTo(unit, node, { kind: 'class', cls }));
      base = { k: 'class', cls };
    }
  }
  for (let i = 0; i < node.dims; i++) base = { k: 'array', element: base };
  return base;
}

function importHint(name: string): string {
  if (name.startsWith('.')) return '';
  const internal = INTERNAL_CLASSES.find((c) => c.fullName.endsWith(`.${name}`));
  return internal === undefined ? '' : ` (add 'import ${internal.fullName};')`;
}

/** Builds the class table of a set of files: declares, links and lays out every class. */
export function declareClasses(units: readonly Unit[], recorder?: Recorder): ClassTable {
  const table = new ClassTable();
  table.recorder = recorder;
  for (const unit of units) {
    for (const decl of unit.ast.classes) {
      const name = `${unit.ast.packageName}.${decl.name}`;
      const existing = table.classes.get(name);
      if (existing !== undefined) {
        unit.sink.error(decl.nameSpan.start, decl.nameSpan.end, 'PH304', `class ${name} is declared twice`);
        continue;
      }
      const internal = unit.isPrelude ? INTERNAL_CLASSES.find((c) => c.fullName === name) : undefined;
      if (unit.isPrelude && internal === undefined)
        unit.sink.error(
          decl.nameSpan.start,
          decl.nameSpan.end,
          'PH305',
          `${name} is not a class of layout.def`,
        );
      if (!unit.isPrelude && name.startsWith('.internal.'))
        unit.sink.error(
          decl.nameSpan.start,
          decl.nameSpan.end,
          'PH305',
          'the package .internal belongs to the system',
        );
      table.classes.set(name, {
        name,
        decl,
        unit,
        superclass: null,
        internalId: internal?.id ?? 0,
        kind: internal?.kind === 'KIND_BYTES' ? KIND_BYTES : KIND_SLOTS,
        fields: [],
        fieldsByName: new Map(),
        methods: new Map(),
        vtable: [],
        resolved: false,
      });
    }
  }
  for (const unit of units) {
    for (const imp of unit.ast.imports) {
      const cls = table.get(imp.path);
      if (cls === undefined)
        unit.sink.error(imp.start, imp.end, 'PH302', `import of unknown class '${imp.path}'`);
      else recorder?.references.push(referenceTo(unit, imp, { kind: 'class', cls }));
    }
  }
  for (const cls of table.classes.values()) linkSuperclass(table, cls);
  layoutAll(table);
  return table;
}

function linkSuperclass(table: ClassTable, cls: ClassSym): void {
  const { decl, unit } = cls;
  if (decl.superType === null) {
    cls.superclass = cls.name === OBJECT_CLASS ? null : (table.get(OBJECT_CLASS) ?? null);
    return;
  }
  const t = resolveType(table, unit, decl.superType, false);
  if (t.k !== 'class') {
    if (t.k !== 'error')
      unit.sink.error(decl.superType.start, decl.superType.end, 'PH306', 'a class can only extend a class');
    cls.superclass = table.get(OBJECT_CLASS) ?? null;
    return;
  }
  if (!unit.isPrelude && t.cls.internalId !== 0 && !CONSTRUCTIBLE_INTERNAL.has(t.cls.name)) {
    unit.sink.error(decl.superType.start, decl.superType.end, 'PH306', `${t.cls.name} cannot be extended`);
    cls.superclass = table.get(OBJECT_CLASS) ?? null;
    return;
  }
  cls.superclass = t.cls;
}

/**
 * Lays out every class after its superclasses, walking each chain iteratively (a chain of
 * thousands of classes must not exhaust the stack). A cycle in `extends` is reported once and
 * cut by making the class that closes it extend .internal.object.
 */
function layoutAll(table: ClassTable): void {
  for (const cls of table.classes.values()) {
    for (;;) {
      const chain: ClassSym[] = [];
      const onChain = new Set<ClassSym>();
      let cycleAt: ClassSym | undefined;
      for (let c: ClassSym | null = cls; c !== null && !c.resolved; c = c.superclass) {
        if (onChain.has(c)) {
          cycleAt = c;
          break;
        }
        onChain.add(c);
        chain.push(c);
      }
      if (cycleAt === undefined) {
        for (let i = chain.length - 1; i >= 0; i--) layout(table, chain[i]!);
        break;
      }
      const s = cycleAt.decl.superType ?? cycleAt.decl.nameSpan;
      cycleAt.unit.sink.error(
        s.start,
        s.end,
        'PH307',
        `class ${cycleAt.name} extends itself (through its superclasses)`,
      );
      const object = table.get(OBJECT_CLASS) ?? null;
      cycleAt.superclass = cycleAt === object || (object !== null && onChain.has(object)) ? null : object;
    }
  }
}

function layout(table: ClassTable, cls: ClassSym): void {
  const { unit, decl } = cls;
  const sup = cls.superclass;
  cls.fields = sup === null ? [] : [...sup.fields];
  for (const f of cls.fields) cls.fieldsByName.set(f.name, f);
  for (const fd of decl.fields) {
    if (cls.fieldsByName.has(fd.name)) {
      const inherited = cls.fieldsByName.get(fd.name)!.owner !== cls;
      unit.sink.error(
        fd.nameSpan.start,
        fd.nameSpan.end,
        'PH308',
        inherited
          ? `field '${fd.name}' is already declared in a superclass`
          : `field '${fd.name}' is declared twice`,
      );
      continue;
    }
    const type = fd.type === null ? ERROR : resolveType(table, unit, fd.type, false);
    const f: FieldSym = { name: fd.name, slot: cls.fields.length, type, owner: cls, decl: fd };
    cls.fields.push(f);
    cls.fieldsByName.set(fd.name, f);
  }
  const internal = INTERNAL_CLASSES.find((c) => c.id === cls.internalId);
  if (internal !== undefined && internal.slots >= 0 && cls.fields.length !== internal.slots)
    unit.sink.error(
      decl.nameSpan.start,
      decl.nameSpan.end,
      'PH305',
      `${cls.name} has ${cls.fields.length} fields but layout.def gives it ${internal.slots} slots`,
    );
  cls.vtable = sup === null ? [] : [...sup.vtable];
  for (const md of decl.methods) declareMethod(table, cls, md);
  const hasConstructor = [...cls.methods.values()].some((m) => m.isConstructor);
  if (!hasConstructor && cls.internalId === 0) {
    cls.methods.set(CONSTRUCTOR, {
      name: CONSTRUCTOR,
      owner: cls,
      decl: null,
      isStatic: false,
      isConstructor: true,
      params: [],
      returnType: VOID,
      vindex: -1,
      nativeId: 0,
    });
  }
  cls.resolved = true;
  table.ordered.push(cls);
}

function declareMethod(table: ClassTable, cls: ClassSym, md: MethodDecl): void {
  const { unit } = cls;
  const at = md.nameSpan;
  if (cls.methods.has(md.name)) {
    unit.sink.error(
      at.start,
      at.end,
      'PH309',
      md.isConstructor
        ? `class ${cls.name} has two constructors (there is no overloading)`
        : `method '${md.name}' is declared twice (there is no overloading)`,
    );
    return;
  }
  const params: Type[] = [];
  const seen = new Set<string>();
  for (const p of md.params) {
    if (seen.has(p.name)) unit.sink.error(p.start, p.end, 'PH310', `parameter '${p.name}' is declared twice`);
    seen.add(p.name);
    params.push(resolveType(table, unit, p.type, false));
  }
  const returnType = resolveType(table, unit, md.returnType, true);
  let nativeId = 0;
  if (md.isNative) {
    const native = NATIVES.find((n) => n.className === cls.name && n.method === md.name);
    if (!unit.isPrelude)
      unit.sink.error(at.start, at.end, 'PH311', 'only the prelude declares native methods');
    else if (native === undefined)
      unit.sink.error(at.start, at.end, 'PH311', `${cls.name}.${md.name} is not in natives.def`);
    else nativeId = native.id;
  }
  const method: MethodSym = {
    name: md.name,
    owner: cls,
    decl: md,
    isStatic: md.isStatic,
    isConstructor: md.isConstructor,
    params,
    returnType,
    vindex: -1,
    nativeId,
  };
  cls.methods.set(md.name, method);
  if (md.isConstructor) {
    if (!table.canInstantiate(cls) && !unit.isPrelude)
      unit.sink.error(at.start, at.end, 'PH312', `${cls.name} cannot have a constructor`);
    return;
  }
  const inherited = cls.superclass === null ? undefined : table.findMethod(cls.superclass, md.name);
  if (inherited !== undefined) {
    if (inherited.isStatic || md.isStatic) {
      unit.sink.error(
        at.start,
        at.end,
        'PH313',
        `'${md.name}' is already a ${inherited.isStatic ? 'static' : 'instance'} method of ${inherited.owner.name}`,
      );
      return;
    }
    if (signatureOf(method) !== signatureOf(inherited)) {
      unit.sink.error(
        at.start,
        at.end,
        'PH313',
        `'${md.name}' overrides ${inherited.owner.name}.${md.name} but its signature ${signatureOf(method)} differs from ${signatureOf(inherited)}`,
      );
    }
    method.vindex = inherited.vindex;
    cls.vtable[inherited.vindex] = method;
    return;
  }
  if (!md.isStatic) {
    method.vindex = cls.vtable.length;
    cls.vtable.push(method);
  }
}
