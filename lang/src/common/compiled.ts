/**
 * What the compiler hands to everything after it: classes with resolved slot numbers, vtable
 * indices and bytecode, but with constants still symbolic (by name), because addresses exist only
 * once an image (or a live machine) places the objects. The image builder, the reference
 * interpreter's loader and the debug channel's "install class" all start from this.
 *
 * Not here: anything about where objects live. Method names are unique within a class (the
 * language has no overloading), so `owner + name` names a method.
 */

/** A constant of a method, resolved to an object when the class is placed in an object space. */
export type CompiledConst =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'class'; readonly name: string }
  | { readonly kind: 'method'; readonly owner: string; readonly name: string };

/** One exception handler: `[start, end)` pcs, handler pc, and the caught class as a const index or -1 for any. */
export interface CompiledHandler {
  readonly start: number;
  readonly end: number;
  readonly handler: number;
  readonly classConst: number;
}

/**
 * A local variable as a debugger sees it: its name, its frame slot and the pcs `[start, end)` at
 * which the slot holds it (from the instruction after its initialising STORE to the end of its
 * block). Two entries may share a slot (sibling blocks reuse slots) or a name (`for (var i …)`
 * twice), never both at one pc.
 */
export interface CompiledLocal {
  readonly name: string;
  readonly slot: number;
  readonly start: number;
  readonly end: number;
}

/**
 * What a debugger needs of a method beyond its code. `statements` holds triples pc, line, column
 * (1-based, UTF-16 columns as editors count), pc strictly ascending: the first instruction of each
 * statement (and of each loop condition a jump back re-enters), so a step stops exactly there.
 */
export interface CompiledDebugInfo {
  readonly statements: readonly number[];
  /** Parameters first (start 0), then in order of declaration; the receiver (slot 0 of an instance method) is implicit. */
  readonly locals: readonly CompiledLocal[];
}

export interface CompiledMethod {
  readonly name: string;
  /** MF_* bits from layout.def. */
  readonly flags: number;
  /** Argument slots, receiver included. */
  readonly argc: number;
  /** Local slots, arguments included. */
  readonly locals: number;
  readonly maxStack: number;
  /** NATIVE id from natives.def, 0 for bytecode methods. */
  readonly native: number;
  /** Empty for natives. */
  readonly code: Uint8Array;
  readonly consts: readonly CompiledConst[];
  /** Innermost first, as METHOD_HANDLERS stores them. */
  readonly handlers: readonly CompiledHandler[];
  /** pc, line pairs, pc ascending (METHOD_LINES). */
  readonly lines: readonly number[];
  /** vtable index, -1 for static methods and constructors. */
  readonly vindex: number;
  /** Declared parameter and return types, for tools and the editor ("int", ".a.b.C", "string[]"). */
  readonly signature: string;
  /** Source positions and locals; absent for natives and for methods compiled before it existed. */
  readonly debug?: CompiledDebugInfo;
}

export interface CompiledClass {
  /** Full name with its package, e.g. `.ru.dz.demo.start`. */
  readonly name: string;
  /** Full name of the superclass; `null` only for `.internal.object`. */
  readonly superName: string | null;
  /** CID_* for the prelude's internal classes, 0 for program classes. */
  readonly internalId: number;
  /** KIND_SLOTS or KIND_BYTES. */
  readonly kind: number;
  /** Every instance slot's name, inherited ones first (length = CLASS_FIELD_COUNT). */
  readonly fieldNames: readonly string[];
  /** The class's vtable by index: `[owner, method name]`, inherited entries first. */
  readonly vtable: readonly (readonly [owner: string, name: string])[];
  /** Methods this class declares. */
  readonly methods: readonly CompiledMethod[];
  /** Source file the class came from, for diagnostics and go-to-definition. */
  readonly file: string;
}

/** A compilation unit set: the prelude's classes first, then the program's. */
export interface CompiledProgram {
  readonly formatVersion: number;
  readonly classes: readonly CompiledClass[];
}
