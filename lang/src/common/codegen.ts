/**
 * Method bodies: type-checks each statement and expression and emits its bytecode in the same
 * walk, so the editor's check and a build share one code path. Produces CompiledMethods (code,
 * symbolic constants, handlers, line table, max stack computed while emitting) and records, when
 * asked, which declaration each name refers to (go-to-definition).
 */
import type { AssignOp, BinaryOp, Block, Expr, MethodDecl, Span, Stmt } from './ast.js';
import {
  ANY,
  ARRAY_CLASS,
  BOOLEAN,
  type ClassSym,
  type ClassTable,
  CONSTRUCTOR,
  type DeclSite,
  ERROR,
  type FieldSym,
  INT,
  isReference,
  type LocalSym,
  type MethodSym,
  NULL,
  type Recorder,
  referenceTo,
  resolveClassName,
  resolveType,
  runtimeClassName,
  STRING_CLASS,
  type Sym,
  signatureOf,
  type Type,
  typeName,
  type Unit,
  VOID,
} from './checker.js';
import type { CompiledConst, CompiledHandler, CompiledLocal, CompiledMethod } from './compiled.js';
import { encode, OPCODE_BY_NAME } from './disasm.js';
import { MAX_LOCALS, MF_CTOR, MF_RETURNS, MF_STATIC, SMALLINT_MAX, SMALLINT_MIN } from './spec/generated.js';

/** What a call instruction's callee takes and returns (a virtual call's callee is not in the bytecode). */
export interface CallSite {
  readonly argc: number;
  readonly returns: boolean;
}

const callSitesOf = new WeakMap<CompiledMethod, ReadonlyMap<number, CallSite>>();

/** The call sites the compiler emitted in a method, by pc: lets verifyMethod check stack effects of calls. */
export function callSites(method: CompiledMethod): ReadonlyMap<number, CallSite> | undefined {
  return callSitesOf.get(method);
}

interface Label {
  pos: number;
  depth: number;
  readonly fixups: number[];
}

/** A local's debug entry while its scope is open; `depth` is the number of scopes it was declared in. */
interface OpenLocal {
  readonly name: string;
  readonly slot: number;
  start: number;
  end: number;
  readonly depth: number;
}

interface Local {
  readonly debug: OpenLocal;
  readonly slot: number;
  readonly type: Type;
  readonly sym: Sym & { kind: 'local' };
}

interface Loop {
  readonly breakLabel: Label;
  readonly continueLabel: Label;
}

const ARITHMETIC: Partial<Record<BinaryOp, string>> = {
  '+': 'ADD',
  '-': 'SUB',
  '*': 'MUL',
  '/': 'DIV',
  '%': 'MOD',
  '&': 'BAND',
  '|': 'BOR',
  '^': 'BXOR',
  '<<': 'SHL',
  '>>': 'SHR',
};
const COMPARISON: Partial<Record<BinaryOp, string>> = {
  '==': 'EQ',
  '!=': 'NE',
  '<': 'LT',
  '<=': 'LE',
  '>': 'GT',
  '>=': 'GE',
};
/** Operand ranges by encoding, with what a value out of range means for the program. */
const OPERAND_LIMITS: Record<string, [number, number, string][]> = {
  U8: [[0, 0xff, 'local slot']],
  U16: [[0, 0xffff, 'field slot or constant index']],
  I32: [[SMALLINT_MIN, SMALLINT_MAX, 'integer']],
  U16_U8: [
    [0, 0xffff, 'method index'],
    [0, 0xff, 'arguments in one call'],
  ],
};
/** Largest method the 16-bit jump offsets can span. */
const MAX_CODE_BYTES = 0x7fff;

/** Bytecode of one method with the bookkeeping that goes with it: depth tracking, constants, labels, lines. */
class Emitter {
  readonly code: number[] = [];
  readonly consts: CompiledConst[] = [];
  readonly handlers: CompiledHandler[] = [];
  readonly lines: number[] = [];
  /** pc, line, column triples: where each statement starts (CompiledDebugInfo.statements). */
  readonly statements: number[] = [];
  readonly calls = new Map<number, CallSite>();
  private readonly constIndex = new Map<string, number>();
  depth = 0;
  maxDepth = 0;
  /** The first operand that did not fit its encoding (too many constants, fields, arguments…). */
  limitExceeded: string | undefined;
  /** Set when two paths meet with different stack depths: a compiler bug unless an error was already reported. */
  inconsistent = false;
  /** False after an unconditional transfer until a label that is jumped to is placed. */
  reachable = true;

  get pc(): number {
    return this.code.length;
  }

  emit(name: string, ...operands: number[]): void {
    const op = OPCODE_BY_NAME.get(name)!;
    this.adjust(op.push - op.pop);
    this.encodeChecked(name, operands);
    if (name === 'RET' || name === 'RET_VOID' || name === 'THROW') this.reachable = false;
  }

  call(name: 'CALL_VIRT' | 'CALL_STATIC', index: number, argc: number, returns: boolean): void {
    this.calls.set(this.pc, { argc, returns });
    this.adjust((returns ? 1 : 0) - argc);
    this.encodeChecked(name, [index, argc]);
  }

  /** Encodes, clamping an operand the format cannot hold and remembering which limit was hit. */
  private encodeChecked(name: string, operands: number[]): void {
    const kind = OPCODE_BY_NAME.get(name)!.operands;
    const limits = OPERAND_LIMITS[kind] ?? [];
    const fitted = operands.map((v, i) => {
      const [lo, hi, what] = limits[i]!;
      if (v >= lo && v <= hi) return v;
      this.limitExceeded ??= `${what} (${v}; at most ${hi})`;
      return Math.max(lo, Math.min(hi, v));
    });
    encode(this.code, name, ...fitted);
  }

  adjust(delta: number): void {
    this.depth += delta;
    if (this.depth > this.maxDepth) this.maxDepth = this.depth;
  }

  constant(c: CompiledConst): number {
    const key =
      c.kind === 'method'
        ? `m ${c.owner} ${c.name}`
        : `${c.kind[0]} ${c.kind === 'string' ? c.value : c.name}`;
    let i = this.constIndex.get(key);
    if (i === undefined) {
      i = this.consts.length;
      this.consts.push(c);
      this.constIndex.set(key, i);
    }
    return i;
  }

  label(): Label {
    return { pos: -1, depth: -1, fixups: [] };
  }

  jump(name: 'JMP' | 'JMP_FALSE' | 'JMP_TRUE', target: Label): void {
    if (name !== 'JMP') this.adjust(-1);
    if (target.depth < 0) target.depth = this.depth;
    this.code.push(OPCODE_BY_NAME.get(name)!.code, 0, 0);
    if (target.pos >= 0) this.patch(this.pc - 2, target.pos);
    else target.fixups.push(this.pc - 2);
    if (name === 'JMP') this.reachable = false;
  }

  place(label: Label): void {
    label.pos = this.pc;
    for (const at of label.fixups) this.patch(at, label.pos);
    if (label.depth >= 0) {
      if (this.reachable && label.depth !== this.depth) this.inconsistent = true;
      this.depth = label.depth;
      this.reachable = true;
    } else label.depth = this.depth;
  }

  private patch(at: number, target: number): void {
    const offset = target - (at + 2);
    this.code[at] = offset & 0xff;
    this.code[at + 1] = (offset >> 8) & 0xff;
  }

  line(line: number): void {
    const n = this.lines.length;
    if (n > 0 && this.lines[n - 2] === this.pc) this.lines[n - 1] = line;
    else if (n === 0 || this.lines[n - 1] !== line) this.lines.push(this.pc, line);
  }

  /** A statement starts here; an earlier one that starts at the same pc emitted nothing and gives way. */
  statement(line: number, column: number): void {
    const n = this.statements.length;
    if (n > 0 && this.statements[n - 3] === this.pc) this.statements.length = n - 3;
    this.statements.push(this.pc, line, column);
  }
}

export interface CodegenOptions {
  /** For an editor: record references, expression types and locals. */
  readonly recorder?: Recorder;
}

/** Compiles (and checks) every method of a class; the default constructor is synthesised here. */
export function compileClass(table: ClassTable, cls: ClassSym, options: CodegenOptions): CompiledMethod[] {
  const out: CompiledMethod[] = [];
  for (const m of cls.methods.values()) out.push(new MethodCompiler(table, cls, m, options).compile());
  return out;
}

function finishedLocal({ name, slot, start, end }: OpenLocal): CompiledLocal {
  return { name, slot, start, end: Math.max(start, end) };
}

class MethodCompiler {
  private readonly e = new Emitter();
  private readonly unit: Unit;
  private scopes: Map<string, Local>[] = [];
  /** Where each scope of `scopes` ends in the source: a local is in scope up to there. */
  private scopeEnds: number[] = [];
  private nextSlot = 0;
  private maxSlot = 0;
  /** Every local's debug entry in order of declaration; `end` is set when its scope closes. */
  private readonly debugLocals: OpenLocal[] = [];
  private readonly loops: Loop[] = [];

  constructor(
    private readonly table: ClassTable,
    private readonly cls: ClassSym,
    private readonly method: MethodSym,
    private readonly options: CodegenOptions,
  ) {
    this.unit = cls.unit;
  }

  private error(span: Span, code: string, message: string): void {
    this.unit.sink.error(span.start, span.end, code, message);
  }

  private ref(span: Span, symbol: Sym): void {
    this.options.recorder?.references.push(referenceTo(this.unit, span, symbol));
  }

  private refField(span: Span, field: FieldSym): void {
    this.ref(span, { kind: 'field', field });
  }

  /** Notes that the expression at `span` names a class rather than a value (`tty` of `tty.println`). */
  private refClass(span: Span, cls: ClassSym): void {
    this.ref(span, { kind: 'class', cls });
    this.options.recorder?.expressions.push({ unit: this.unit, span, type: ERROR, namesClass: cls });
  }

  compile(): CompiledMethod {
    const m = this.method;
    const decl = m.decl;
    const argc = m.params.length + (m.isStatic ? 0 : 1);
    const flags =
      (m.isStatic ? MF_STATIC : 0) |
      (m.isConstructor ? MF_CTOR : 0) |
      (m.returnType.k !== 'void' ? MF_RETURNS : 0);
    const base = { name: m.name, flags, argc, vindex: m.vindex, signature: signatureOf(m) };
    if (m.nativeId !== 0 || decl?.isNative) {
      return {
        ...base,
        locals: argc,
        maxStack: 0,
        native: m.nativeId,
        code: new Uint8Array(0),
        consts: [],
        handlers: [],
        lines: [],
      };
    }
    this.scopes = [new Map()];
    this.scopeEnds = [decl?.end ?? this.cls.decl.end];
    if (!m.isStatic) this.nextSlot = 1;
    if (decl !== null) {
      decl.params.forEach((p, i) => {
        this.declareLocal(p.name, m.params[i]!, p.nameSpan, p, p.end, true);
      });
    }
    this.nextSlot = this.maxSlot = argc;
    if (m.isConstructor) this.constructorPrologue(decl);
    const body = decl?.body ?? null;
    if (body !== null) {
      const statements =
        m.isConstructor && firstIsSuperCall(body) ? body.statements.slice(1) : body.statements;
      this.statements(statements);
    }
    if (this.e.reachable) {
      if (m.returnType.k === 'void') this.e.emit('RET_VOID');
      else if (decl !== null && body !== null)
        this.error(
          { start: body.end - 1, end: body.end },
          'PH330',
          `method '${m.name}' can end without returning a value`,
        );
    }
    if (this.e.inconsistent && this.unit.sink.errorCount === 0)
      this.error(
        decl?.nameSpan ?? this.cls.decl.nameSpan,
        'PH900',
        `internal compiler error: inconsistent stack in '${m.name}'`,
      );
    if (this.maxSlot > MAX_LOCALS && decl !== null)
      this.error(
        decl.nameSpan,
        'PH401',
        `method '${m.name}' needs ${this.maxSlot} local slots (at most ${MAX_LOCALS})`,
      );
    if (this.e.limitExceeded !== undefined)
      this.error(
        decl?.nameSpan ?? this.cls.decl.nameSpan,
        'PH403',
        `method '${m.name}' exceeds the bytecode format: ${this.e.limitExceeded}`,
      );
    if (this.e.pc > MAX_CODE_BYTES && decl !== null)
      this.error(
        decl.nameSpan,
        'PH402',
        `method '${m.name}' is too large (${this.e.pc} bytes of code, at most ${MAX_CODE_BYTES})`,
      );
    this.closeLocals(0);
    const compiled: CompiledMethod = {
      ...base,
      locals: Math.min(this.maxSlot, MAX_LOCALS),
      maxStack: this.e.maxDepth,
      native: 0,
      code: new Uint8Array(this.e.code),
      consts: this.e.consts,
      handlers: this.e.handlers,
      lines: this.e.lines,
      debug: { statements: this.e.statements, locals: this.debugLocals.map(finishedLocal) },
    };
    callSitesOf.set(compiled, this.e.calls);
    return compiled;
  }

  /** super(...) (explicit or implied), then the class's field initialisers. */
  private constructorPrologue(decl: MethodDecl | null): void {
    const sup = this.cls.superclass;
    const superCtor = sup?.methods.get(CONSTRUCTOR);
    const first = decl?.body?.statements[0];
    const at: Span = decl?.nameSpan ?? this.cls.decl.nameSpan;
    this.line(decl?.body ?? this.cls.decl);
    if (first !== undefined && first.kind === 'expr' && first.expr.kind === 'superCtor') {
      this.line(first);
      this.superConstructorCall(first.expr.args, first.expr, superCtor);
    } else if (superCtor !== undefined) {
      if (superCtor.params.length > 0)
        this.error(
          at,
          'PH331',
          `the constructor must begin with super(...): ${superCtor.owner.name} takes ${signatureOf(superCtor)}`,
        );
      else this.superConstructorCall([], at, superCtor);
    }
    const saved = this.scopes;
    const savedEnds = this.scopeEnds;
    this.scopes = [new Map()];
    this.scopeEnds = [this.cls.decl.end];
    for (const f of this.cls.decl.fields) {
      if (f.init === null) continue;
      const field = this.cls.fieldsByName.get(f.name);
      if (field === undefined || field.decl !== f) continue;
      this.line(f);
      this.e.emit('LOAD', 0);
      this.expectValue(f.init, field.type);
      this.e.emit('PUT_FIELD', field.slot);
    }
    this.scopes = saved;
    this.scopeEnds = savedEnds;
  }

  private superConstructorCall(args: readonly Expr[], at: Span, superCtor: MethodSym | undefined): void {
    if (superCtor === undefined) {
      if (args.length > 0)
        this.error(
          at,
          'PH332',
          `${this.cls.superclass?.name ?? 'this class'} has no constructor that takes arguments`,
        );
      return;
    }
    this.e.emit('LOAD', 0);
    this.arguments(args, superCtor, at);
    this.e.call('CALL_STATIC', this.methodConst(superCtor), superCtor.params.length + 1, false);
  }

  /** A statement (or a loop condition, a field initialiser) starts at `node`: the line and statement tables. */
  private line(node: Span): void {
    const at = this.unit.sink.lines.positionAt(node.start);
    this.e.line(at.line);
    this.e.statement(at.line, at.column);
  }

  private methodConst(m: MethodSym): number {
    return this.e.constant({ kind: 'method', owner: m.owner.name, name: m.name });
  }

  private classConst(name: string): number {
    return this.e.constant({ kind: 'class', name });
  }

  // ── locals ──

  private lookupLocal(name: string): Local | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const l = this.scopes[i]!.get(name);
      if (l !== undefined) return l;
    }
    return undefined;
  }

  /** A local named at `nameSpan`, usable from `visibleFrom` to the end of the current scope. */
  private declareLocal(
    name: string,
    type: Type,
    nameSpan: Span,
    at: Span,
    visibleFrom: number,
    isParameter = false,
  ): Local {
    if (this.lookupLocal(name) !== undefined)
      this.error(at, 'PH320', `'${name}' is already declared in this method`);
    const site: DeclSite = { unit: this.unit, span: nameSpan };
    const scope = { start: visibleFrom, end: this.scopeEnds[this.scopeEnds.length - 1]! };
    const sym: LocalSym = { name, type, site, isParameter, scope };
    this.options.recorder?.locals.push(sym);
    const slot = this.nextSlot++;
    const debug: OpenLocal = {
      name,
      slot: Math.min(slot, MAX_LOCALS - 1),
      start: isParameter ? 0 : this.e.pc,
      end: -1,
      depth: this.scopes.length,
    };
    this.debugLocals.push(debug);
    const local: Local = { debug, slot, type, sym: { kind: 'local', local: sym } };
    if (this.nextSlot > this.maxSlot) this.maxSlot = this.nextSlot;
    this.scopes[this.scopes.length - 1]!.set(name, local);
    return local;
  }

  /** Runs `body` in a new scope for locals, which ends where `within` ends. */
  private withScope(within: Span, body: () => void): void {
    this.scopes.push(new Map());
    this.scopeEnds.push(within.end);
    const slot = this.nextSlot;
    body();
    this.scopes.pop();
    this.scopeEnds.pop();
    this.closeLocals(this.scopes.length);
    this.nextSlot = slot;
  }

  /** The locals declared deeper than `depth` scopes go out of scope here. */
  private closeLocals(depth: number): void {
    for (const l of this.debugLocals) if (l.end < 0 && l.depth > depth) l.end = this.e.pc;
  }

  /** Stores the value on the stack into a newly declared local, which holds it from the next pc on. */
  private storeNew(local: Local): void {
    this.e.emit('STORE', this.localSlot(local));
    local.debug.start = this.e.pc;
  }

  private localSlot(local: Local): number {
    return Math.min(local.slot, MAX_LOCALS - 1);
  }

  // ── statements ──

  private statement(s: Stmt): void {
    if (s.kind !== 'block' && s.kind !== 'empty') this.line(s);
    switch (s.kind) {
      case 'block':
        this.block(s);
        return;
      case 'empty':
        return;
      case 'var': {
        let type: Type;
        if (s.type !== null) {
          type = resolveType(this.table, this.unit, s.type, false);
          if (s.init !== null) this.expectValue(s.init, type);
          else this.e.emit('PUSH_NULL');
        } else if (s.init !== null) {
          type = this.value(s.init);
          if (type.k === 'null') {
            this.error(
              s.init,
              'PH321',
              `the type of '${s.name}' cannot be inferred from null; write var ${s.name} : Type = null`,
            );
            type = ERROR;
          }
        } else {
          type = ERROR;
          this.e.emit('PUSH_NULL');
        }
        this.storeNew(this.declareLocal(s.name, type, s.nameSpan, s.nameSpan, s.end));
        return;
      }
      case 'expr': {
        if (s.expr.kind === 'superCtor') {
          this.error(s.expr, 'PH333', 'super(...) may only be the first statement of a constructor');
          return;
        }
        if (s.expr.kind !== 'call' && s.expr.kind !== 'error')
          this.error(s.expr, 'PH322', 'this expression does nothing as a statement');
        const t = this.expr(s.expr);
        if (t.k !== 'void') this.e.emit('POP');
        return;
      }
      case 'assign':
        this.assign(s.target, s.op, s.value, s);
        return;
      case 'incdec':
        this.assign(
          s.target,
          s.op === '++' ? '+=' : '-=',
          { kind: 'int', value: 1, start: s.end, end: s.end },
          s,
        );
        return;
      case 'if': {
        const otherwise = this.e.label();
        this.branch(s.cond, otherwise, false);
        this.withScope(s.then, () => this.statement(s.then));
        if (s.otherwise === null) {
          this.e.place(otherwise);
        } else {
          const end = this.e.label();
          const thenReachable = this.e.reachable;
          if (thenReachable) this.e.jump('JMP', end);
          this.e.place(otherwise);
          this.withScope(s.otherwise, () => this.statement(s.otherwise!));
          if (thenReachable || end.fixups.length > 0) this.e.place(end);
        }
        return;
      }
      case 'while': {
        const top = this.e.label();
        const end = this.e.label();
        this.e.place(top);
        const always = isTrue(s.cond);
        if (!always) this.branch(s.cond, end, false);
        this.loops.push({ breakLabel: end, continueLabel: top });
        this.withScope(s.body, () => this.statement(s.body));
        this.loops.pop();
        if (this.e.reachable) this.e.jump('JMP', top);
        if (!always || end.fixups.length > 0) this.e.place(end);
        return;
      }
      case 'for':
        this.withScope(s, () => {
          if (s.init !== null) this.statement(s.init);
          const top = this.e.label();
          const next = this.e.label();
          const end = this.e.label();
          this.e.place(top);
          if (s.cond !== null) this.line(s.cond);
          const always = s.cond === null || isTrue(s.cond);
          if (!always) this.branch(s.cond!, end, false);
          this.loops.push({ breakLabel: end, continueLabel: next });
          this.withScope(s.body, () => this.statement(s.body));
          this.loops.pop();
          if (this.e.reachable || next.fixups.length > 0) {
            this.e.place(next);
            if (s.update !== null) this.statement(s.update);
            this.e.jump('JMP', top);
          }
          if (!always || end.fixups.length > 0) this.e.place(end);
        });
        return;
      case 'return': {
        const ret = this.method.returnType;
        if (s.value === null) {
          if (ret.k !== 'void')
            this.error(s, 'PH334', `'${this.method.name}' must return a ${typeName(ret)}`);
          this.e.emit('RET_VOID');
        } else if (ret.k === 'void') {
          this.error(
            s.value,
            'PH334',
            `'${this.method.name === CONSTRUCTOR ? 'a constructor' : this.method.name}' returns nothing`,
          );
          this.expr(s.value);
          this.e.emit('RET_VOID');
        } else {
          this.expectValue(s.value, ret);
          this.e.emit('RET');
        }
        return;
      }
      case 'break':
      case 'continue': {
        const loop = this.loops[this.loops.length - 1];
        if (loop === undefined) {
          this.error(s, 'PH335', `'${s.kind}' outside a loop`);
          return;
        }
        this.e.jump('JMP', s.kind === 'break' ? loop.breakLabel : loop.continueLabel);
        return;
      }
      case 'throw': {
        const t = this.value(s.value);
        if (!isReference(t) || t.k === 'null') this.error(s.value, 'PH336', `cannot throw a ${typeName(t)}`);
        this.e.emit('THROW');
        return;
      }
      case 'try': {
        const start = this.e.pc;
        this.block(s.body);
        const endPc = this.e.pc;
        const end = this.e.label();
        if (this.e.reachable) this.e.jump('JMP', end);
        for (const c of s.catches) {
          let type: Type = ANY;
          let classConst = -1;
          if (c.type !== null) {
            type = resolveType(this.table, this.unit, c.type, false);
            if (type.k === 'class') classConst = this.classConst(type.cls.name);
            else if (type.k !== 'error') this.error(c.type, 'PH337', 'a catch clause names a class');
          }
          if (endPc > start) this.e.handlers.push({ start, end: endPc, handler: this.e.pc, classConst });
          this.e.depth = 1;
          if (this.e.depth > this.e.maxDepth) this.e.maxDepth = 1;
          this.e.reachable = true;
          this.line(c);
          this.withScope(c, () => {
            this.storeNew(this.declareLocal(c.name, type, c.nameSpan, c.nameSpan, c.nameSpan.end));
            this.block(c.body);
          });
          if (this.e.reachable) this.e.jump('JMP', end);
        }
        if (end.fixups.length > 0) this.e.place(end);
        return;
      }
    }
  }

  private block(b: Block): void {
    this.withScope(b, () => this.statements(b.statements));
  }

  /** A statement list; the first statement no path reaches gets a warning (it is still checked). */
  private statements(list: readonly Stmt[]): void {
    let warned = false;
    for (const s of list) {
      if (!this.e.reachable && !warned && s.kind !== 'empty') {
        this.unit.sink.warning(s.start, s.end, 'PH370', 'unreachable code');
        warned = true;
      }
      this.statement(s);
    }
  }

  private assign(target: Expr, op: AssignOp | '=', valueExpr: Expr, at: Span): void {
    const binop = op === '=' ? null : (op.slice(0, -1) as BinaryOp);
    const combine = (current: Type): void => {
      if (binop === null) return;
      this.binaryTail(binop, current, valueExpr, at);
    };
    if (target.kind === 'name') {
      const local = this.lookupLocal(target.name);
      if (local !== undefined) {
        this.ref(target, local.sym);
        if (binop !== null) {
          this.e.emit('LOAD', this.localSlot(local));
          combine(local.type);
        } else this.expectValue(valueExpr, local.type);
        this.e.emit('STORE', this.localSlot(local));
        return;
      }
      const field = this.table.findField(this.cls, target.name);
      if (field !== undefined) {
        this.refField(target, field);
        this.checkFieldWritable(field.owner, target);
        if (this.method.isStatic)
          this.error(target, 'PH340', `field '${target.name}' cannot be used in a static method`);
        this.e.emit('LOAD', 0);
        this.storeField(field.slot, field.type, binop !== null, combine, valueExpr);
        return;
      }
      this.error(target, 'PH341', `unknown variable '${target.name}'`);
      this.value(valueExpr);
      this.e.emit('POP');
      return;
    }
    if (target.kind === 'field') {
      const objType = this.value(target.object);
      const cls = objType.k === 'class' ? objType.cls : undefined;
      const field = cls === undefined ? undefined : this.table.findField(cls, target.name);
      if (field === undefined) {
        if (objType.k !== 'error')
          this.error(
            target.nameSpan,
            'PH342',
            `${typeName(objType)} has no field '${target.name}' to assign`,
          );
        this.value(valueExpr);
        this.e.emit('POP');
        this.e.emit('POP');
        return;
      }
      this.refField(target.nameSpan, field);
      this.checkFieldWritable(field.owner, target);
      this.storeField(field.slot, field.type, binop !== null, combine, valueExpr);
      return;
    }
    if (target.kind === 'index') {
      const arr = this.value(target.object);
      this.expectValue(target.index, INT);
      const element = arr.k === 'array' ? arr.element : ERROR;
      if (arr.k !== 'array' && arr.k !== 'error')
        this.error(target.object, 'PH343', `${typeName(arr)} is not an array`);
      if (binop !== null) {
        this.e.emit('DUP2');
        this.e.emit('ALOAD');
        combine(element);
      } else this.expectValue(valueExpr, element);
      this.e.emit('ASTORE');
      return;
    }
    if (target.kind !== 'error')
      this.error(target, 'PH344', 'only a variable, a field or an array element can be assigned');
    this.value(valueExpr);
    this.e.emit('POP');
  }

  /** With the object on the stack: stores the value (for compound assignment, current ∘ value) in the slot. */
  private storeField(
    slot: number,
    type: Type,
    compound: boolean,
    combine: (current: Type) => void,
    valueExpr: Expr,
  ): void {
    if (compound) {
      this.e.emit('DUP');
      this.e.emit('GET_FIELD', slot);
      combine(type);
    } else this.expectValue(valueExpr, type);
    this.e.emit('PUT_FIELD', slot);
  }

  private checkFieldWritable(owner: ClassSym, at: Span): void {
    if (owner.internalId !== 0 && !this.unit.isPrelude)
      this.error(at, 'PH345', `fields of ${owner.name} are read-only for programs`);
  }

  // ── expressions ──

  /** Emits an expression that must produce a value. */
  private value(e: Expr): Type {
    const t = this.expr(e);
    if (t.k === 'void') {
      this.error(e, 'PH350', 'this call returns nothing; it has no value');
      this.e.emit('PUSH_NULL');
      return ERROR;
    }
    return t;
  }

  private expectValue(e: Expr, expected: Type): void {
    const t = this.value(e);
    if (!this.table.assignable(t, expected))
      this.error(e, 'PH351', `expected ${typeName(expected)} but this is ${typeName(t)}`);
  }

  /** Emits a jump to `target` taken when `e` is `jumpIf`; falls through otherwise. Short-circuits && and ||. */
  private branch(e: Expr, target: Label, jumpIf: boolean): void {
    if (e.kind === 'unary' && e.op === '!') {
      this.branch(e.operand, target, !jumpIf);
      return;
    }
    if (e.kind === 'binary' && (e.op === '&&' || e.op === '||')) {
      const isAnd = e.op === '&&';
      if (isAnd !== jumpIf) {
        this.branch(e.left, target, jumpIf);
        this.branch(e.right, target, jumpIf);
      } else {
        const skip = this.e.label();
        this.branch(e.left, skip, !jumpIf);
        this.branch(e.right, target, jumpIf);
        this.e.place(skip);
      }
      return;
    }
    this.expectValue(e, BOOLEAN);
    this.e.jump(jumpIf ? 'JMP_TRUE' : 'JMP_FALSE', target);
  }

  private expr(e: Expr): Type {
    const type = this.exprOf(e);
    this.options.recorder?.expressions.push({ unit: this.unit, span: e, type });
    return type;
  }

  private exprOf(e: Expr): Type {
    switch (e.kind) {
      case 'int':
        if (e.value < SMALLINT_MIN || e.value > SMALLINT_MAX)
          this.error(e, 'PH352', `integer ${e.value} is outside ${SMALLINT_MIN}..${SMALLINT_MAX}`);
        this.e.emit('PUSH_INT', Math.max(SMALLINT_MIN, Math.min(SMALLINT_MAX, e.value)));
        return INT;
      case 'bool':
        this.e.emit('PUSH_INT', e.value ? 1 : 0);
        return BOOLEAN;
      case 'string':
        this.e.emit('PUSH_CONST', this.e.constant({ kind: 'string', value: e.value }));
        return this.table.classType(STRING_CLASS);
      case 'null':
        this.e.emit('PUSH_NULL');
        return NULL;
      case 'this':
        if (this.method.isStatic) {
          this.error(e, 'PH353', "'this' in a static method");
          this.e.emit('PUSH_NULL');
          return ERROR;
        }
        this.e.emit('LOAD', 0);
        return { k: 'class', cls: this.cls };
      case 'error':
        this.e.emit('PUSH_NULL');
        return ERROR;
      case 'super':
        this.error(e, 'PH354', "'super' is only used as super.method(...) or super(...)");
        this.e.emit('PUSH_NULL');
        return ERROR;
      case 'superCtor':
        this.error(e, 'PH333', 'super(...) may only be the first statement of a constructor');
        return VOID;
      case 'path':
        this.error(e, 'PH355', `a class is not a value (${e.path})`);
        this.e.emit('PUSH_NULL');
        return ERROR;
      case 'name':
        return this.name(e);
      case 'field':
        return this.fieldAccess(e);
      case 'index': {
        const arr = this.value(e.object);
        this.expectValue(e.index, INT);
        this.e.emit('ALOAD');
        if (arr.k === 'array') return arr.element;
        if (arr.k !== 'error') this.error(e.object, 'PH343', `${typeName(arr)} is not an array`);
        return ERROR;
      }
      case 'call':
        return this.callExpr(e);
      case 'new':
        return this.newObject(e);
      case 'newArray': {
        const element = resolveType(this.table, this.unit, e.element, false);
        this.expectValue(e.length, INT);
        const type: Type = { k: 'array', element };
        this.e.emit('NEW_ARRAY', this.classConst(runtimeClassName(type) ?? ARRAY_CLASS));
        return element.k === 'error' ? ERROR : type;
      }
      case 'unary': {
        if (e.op === '!') {
          this.expectValue(e.operand, BOOLEAN);
          this.e.emit('NOT');
          return BOOLEAN;
        }
        this.expectValue(e.operand, INT);
        this.e.emit(e.op === '-' ? 'NEG' : 'BNOT');
        return INT;
      }
      case 'binary':
        return this.binary(e.op, e.left, e.right, e);
      case 'cast':
        return this.cast(e);
      case 'instanceof': {
        const t = this.value(e.operand);
        if (!isReference(t))
          this.error(e.operand, 'PH356', `instanceof needs a reference, not ${typeName(t)}`);
        const target = resolveType(this.table, this.unit, e.type, false);
        const name = target.k === 'class' || target.k === 'array' ? runtimeClassName(target) : null;
        if (name === null) {
          if (target.k !== 'error') this.error(e.type, 'PH356', 'instanceof names a class or an array type');
          this.e.emit('POP');
          this.e.emit('PUSH_INT', 0);
        } else this.e.emit('INSTANCEOF', this.classConst(name));
        return BOOLEAN;
      }
    }
  }

  private name(e: Expr & { kind: 'name' }): Type {
    const local = this.lookupLocal(e.name);
    if (local !== undefined) {
      this.ref(e, local.sym);
      this.e.emit('LOAD', this.localSlot(local));
      return local.type;
    }
    const field = this.table.findField(this.cls, e.name);
    if (field !== undefined) {
      this.refField(e, field);
      if (this.method.isStatic) {
        this.error(e, 'PH340', `field '${e.name}' cannot be used in a static method`);
        this.e.emit('PUSH_NULL');
        return field.type;
      }
      this.e.emit('LOAD', 0);
      this.e.emit('GET_FIELD', field.slot);
      return field.type;
    }
    const cls = resolveClassName(this.table, this.unit, e.name);
    if (cls !== undefined) this.refClass(e, cls);
    this.error(
      e,
      cls === undefined ? 'PH341' : 'PH355',
      cls === undefined ? `unknown name '${e.name}'` : `a class is not a value (${cls.name})`,
    );
    this.e.emit('PUSH_NULL');
    return ERROR;
  }

  private fieldAccess(e: Expr & { kind: 'field' }): Type {
    const obj = this.value(e.object);
    if (obj.k === 'array' && e.name === 'length') {
      this.e.emit('ALEN');
      return INT;
    }
    const cls = obj.k === 'class' ? obj.cls : undefined;
    const field = cls === undefined ? undefined : this.table.findField(cls, e.name);
    if (field === undefined) {
      if (obj.k !== 'error') {
        const isMethod = cls !== undefined && this.table.findMethod(cls, e.name) !== undefined;
        this.error(
          e.nameSpan,
          'PH342',
          isMethod
            ? `'${e.name}' is a method: call it with ${e.name}(...)`
            : `${typeName(obj)} has no field '${e.name}'`,
        );
      }
      this.e.emit('POP');
      this.e.emit('PUSH_NULL');
      return ERROR;
    }
    this.refField(e.nameSpan, field);
    this.e.emit('GET_FIELD', field.slot);
    return field.type;
  }

  /** A target expression that names a class (`tty`, `.internal.io.tty`), or undefined when it is a value. */
  private classTarget(target: Expr): ClassSym | null | undefined {
    if (target.kind === 'path') {
      const cls = this.table.get(target.path);
      if (cls === undefined) {
        this.error(target, 'PH301', `unknown class '${target.path}'`);
        return null;
      }
      this.refClass(target, cls);
      return cls;
    }
    if (
      target.kind === 'name' &&
      this.lookupLocal(target.name) === undefined &&
      !this.table.findField(this.cls, target.name)
    ) {
      const cls = resolveClassName(this.table, this.unit, target.name);
      if (cls !== undefined) {
        this.refClass(target, cls);
        return cls;
      }
    }
    return undefined;
  }

  private callExpr(e: Expr & { kind: 'call' }): Type {
    const target = e.target;
    let method: MethodSym | undefined;
    if (target === null) {
      method = this.table.findMethod(this.cls, e.name);
      if (method === undefined) return this.unknownMethod(e, this.cls.name);
      this.refMethod(e, method);
      if (method.isStatic) return this.staticCall(method, e);
      if (this.method.isStatic) {
        this.error(
          e.nameSpan,
          'PH357',
          `'${e.name}' is an instance method; a static method has no 'this' to call it on`,
        );
        this.e.emit('PUSH_NULL');
      } else this.e.emit('LOAD', 0);
      return this.virtualCall(method, e);
    }
    if (target.kind === 'super') {
      const sup = this.cls.superclass;
      method = sup === null ? undefined : this.table.findMethod(sup, e.name);
      if (method === undefined) return this.unknownMethod(e, sup?.name ?? this.cls.name);
      this.refMethod(e, method);
      if (method.isStatic || this.method.isStatic) {
        this.error(e.nameSpan, 'PH358', 'super.method(...) calls an instance method from an instance method');
        return this.skipCall(e, method.returnType);
      }
      this.e.emit('LOAD', 0);
      this.arguments(e.args, method, e);
      this.e.call(
        'CALL_STATIC',
        this.methodConst(method),
        method.params.length + 1,
        method.returnType.k !== 'void',
      );
      return method.returnType;
    }
    const cls = this.classTarget(target);
    if (cls === null) return this.skipCall(e, ERROR);
    if (cls !== undefined) {
      method = this.table.findMethod(cls, e.name);
      if (method === undefined) return this.unknownMethod(e, cls.name);
      this.refMethod(e, method);
      if (!method.isStatic) {
        this.error(
          e.nameSpan,
          'PH357',
          `'${e.name}' is an instance method of ${cls.name}; call it on an object`,
        );
        return this.skipCall(e, method.returnType);
      }
      return this.staticCall(method, e);
    }
    const receiver = this.value(target);
    const memberCls = this.table.memberClass(receiver);
    if (memberCls === undefined) {
      if (receiver.k !== 'error') this.error(target, 'PH359', `a ${typeName(receiver)} has no methods`);
      this.e.emit('POP');
      return this.skipCall(e, ERROR);
    }
    method = this.table.findMethod(memberCls, e.name);
    if (method === undefined) {
      this.e.emit('POP');
      return this.unknownMethod(e, typeName(receiver));
    }
    this.refMethod(e, method);
    if (method.isStatic) {
      // As in Java (and Phantom's `console.println(…)`), a static method may be called through
      // a value of its class: the value is evaluated and dropped.
      this.e.emit('POP');
      return this.staticCall(method, e);
    }
    return this.virtualCall(method, e);
  }

  private refMethod(e: Expr & { kind: 'call' }, method: MethodSym): void {
    if (method.decl !== null) this.ref(e.nameSpan, { kind: 'method', method });
  }

  private unknownMethod(e: Expr & { kind: 'call' }, owner: string): Type {
    this.error(e.nameSpan, 'PH360', `${owner} has no method '${e.name}'`);
    return this.skipCall(e, ERROR);
  }

  /** Checks the arguments of a call that cannot be made and pushes a placeholder of its type. */
  private skipCall(e: Expr & { kind: 'call' }, type: Type): Type {
    for (const a of e.args) {
      this.value(a);
      this.e.emit('POP');
    }
    if (type.k === 'void') return VOID;
    this.e.emit('PUSH_NULL');
    return type;
  }

  private staticCall(method: MethodSym, e: Expr & { kind: 'call' }): Type {
    this.arguments(e.args, method, e);
    this.e.call(
      'CALL_STATIC',
      this.methodConst(method),
      method.params.length,
      method.returnType.k !== 'void',
    );
    return method.returnType;
  }

  /** With the receiver on the stack. */
  private virtualCall(method: MethodSym, e: Expr & { kind: 'call' }): Type {
    this.arguments(e.args, method, e);
    this.e.call(
      'CALL_VIRT',
      Math.max(0, method.vindex),
      method.params.length + 1,
      method.returnType.k !== 'void',
    );
    return method.returnType;
  }

  private arguments(args: readonly Expr[], method: MethodSym, at: Span): void {
    if (args.length !== method.params.length) {
      const what = method.isConstructor ? `the constructor of ${method.owner.name}` : `'${method.name}'`;
      this.error(
        at,
        'PH361',
        `${what} takes ${method.params.length} argument${method.params.length === 1 ? '' : 's'} ${signatureOf(method)}, not ${args.length}`,
      );
    }
    args.forEach((a, i) => {
      const expected = method.params[i];
      if (expected === undefined) this.value(a);
      else this.expectValue(a, expected);
    });
    for (let i = args.length; i < method.params.length; i++) this.e.emit('PUSH_NULL');
    for (let i = method.params.length; i < args.length; i++) this.e.emit('POP');
  }

  private newObject(e: Expr & { kind: 'new' }): Type {
    const t = resolveType(this.table, this.unit, e.type, false);
    if (t.k !== 'class') {
      if (t.k !== 'error')
        this.error(e.type, 'PH362', `'new ${typeName(t)}(...)' needs a class (arrays are new T[length])`);
      for (const a of e.args) {
        this.value(a);
        this.e.emit('POP');
      }
      this.e.emit('PUSH_NULL');
      return ERROR;
    }
    const cls = t.cls;
    if (!this.table.canInstantiate(cls))
      this.error(e.type, 'PH363', `programs cannot create ${cls.name} objects with new`);
    this.e.emit('NEW', this.classConst(cls.name));
    const ctor = cls.methods.get(CONSTRUCTOR);
    if (ctor === undefined) {
      if (e.args.length > 0) this.error(e, 'PH361', `${cls.name} has no constructor that takes arguments`);
      for (const a of e.args) {
        this.value(a);
        this.e.emit('POP');
      }
      return t;
    }
    this.e.emit('DUP');
    this.arguments(e.args, ctor, e);
    this.e.call('CALL_STATIC', this.methodConst(ctor), ctor.params.length + 1, false);
    return t;
  }

  private cast(e: Expr & { kind: 'cast' }): Type {
    const target = resolveType(this.table, this.unit, e.type, false);
    const from = this.value(e.operand);
    if (target.k === 'error' || from.k === 'error') return target;
    if (this.table.assignable(from, target)) return target;
    // A downcast, checked at run time: arrays carry their class, so (dog[]) of an animal[] that
    // holds a cat fails here instead of letting a cat be read as a dog.
    const name = runtimeClassName(target);
    if (name !== null && isReference(from) && this.table.assignable(target, from)) {
      this.e.emit('CHECKCAST', this.classConst(name));
      return target;
    }
    this.error(e, 'PH364', `cannot cast ${typeName(from)} to ${typeName(target)}`);
    return target;
  }

  private binary(op: BinaryOp, left: Expr, right: Expr, at: Span): Type {
    if (op === '&&' || op === '||') {
      const no = this.e.label();
      const end = this.e.label();
      this.branch({ kind: 'binary', op, left, right, start: at.start, end: at.end }, no, false);
      this.e.emit('PUSH_INT', 1);
      this.e.jump('JMP', end);
      this.e.place(no);
      this.e.emit('PUSH_INT', 0);
      this.e.place(end);
      return BOOLEAN;
    }
    const lt = this.value(left);
    return this.binaryTail(op, lt, right, at);
  }

  /** With the left operand (of type `lt`) on the stack: emits the right operand and the operator. */
  private binaryTail(op: BinaryOp, lt: Type, right: Expr, at: Span): Type {
    const isString = (t: Type) => t.k === 'class' && t.cls.name === STRING_CLASS;
    if (op === '+' && isString(lt)) {
      const rt = this.value(right);
      this.toStringValue(rt);
      this.e.emit('CONCAT');
      return lt;
    }
    if (op === '+') {
      const rt = this.value(right);
      if (isString(rt)) return this.concatLeftConverted(lt, rt);
      return this.arith(op, lt, rt, at);
    }
    if (op === '==' || op === '!=') {
      const rt = this.value(right);
      const ok =
        lt.k === 'error' ||
        rt.k === 'error' ||
        (lt.k === 'int' && rt.k === 'int') ||
        (lt.k === 'boolean' && rt.k === 'boolean') ||
        (isReference(lt) &&
          isReference(rt) &&
          (this.table.assignable(lt, rt) || this.table.assignable(rt, lt)));
      if (!ok) this.error(at, 'PH366', `cannot compare ${typeName(lt)} with ${typeName(rt)}`);
      this.e.emit(COMPARISON[op]!);
      return BOOLEAN;
    }
    const rt = this.value(right);
    if (COMPARISON[op] !== undefined) {
      if (!(lt.k === 'int' || lt.k === 'error') || !(rt.k === 'int' || rt.k === 'error'))
        this.error(at, 'PH366', `'${op}' compares integers, not ${typeName(lt)} and ${typeName(rt)}`);
      this.e.emit(COMPARISON[op]!);
      return BOOLEAN;
    }
    return this.arith(op, lt, rt, at);
  }

  private arith(op: BinaryOp, lt: Type, rt: Type, at: Span): Type {
    const bitwise = op === '&' || op === '|' || op === '^';
    if (bitwise && lt.k === 'boolean' && (rt.k === 'boolean' || rt.k === 'error')) {
      this.e.emit(ARITHMETIC[op]!);
      return BOOLEAN;
    }
    if (!(lt.k === 'int' || lt.k === 'error') || !(rt.k === 'int' || rt.k === 'error'))
      this.error(at, 'PH367', `'${op}' needs integers, not ${typeName(lt)} and ${typeName(rt)}`);
    this.e.emit(ARITHMETIC[op]!);
    return INT;
  }

  /** `x + "s"` where x is already on the stack under the string: convert x, then concatenate in order. */
  private concatLeftConverted(lt: Type, rt: Type): Type {
    const scratch = this.nextSlot++;
    if (this.nextSlot > this.maxSlot) this.maxSlot = this.nextSlot;
    const slot = Math.min(scratch, MAX_LOCALS - 1);
    this.e.emit('STORE', slot);
    this.toStringValue(lt);
    this.e.emit('LOAD', slot);
    this.e.emit('CONCAT');
    this.nextSlot--;
    return rt;
  }

  private toStringValue(t: Type): void {
    if (t.k === 'int') this.e.emit('I2S');
    else if (t.k === 'boolean') this.e.emit('B2S');
    else if (t.k === 'class' && t.cls.name === STRING_CLASS) return;
    else if (t.k === 'void') this.e.emit('PUSH_NULL');
    else this.e.emit('O2S');
  }
}

function firstIsSuperCall(body: Block): boolean {
  const first = body.statements[0];
  return first !== undefined && first.kind === 'expr' && first.expr.kind === 'superCtor';
}

function isTrue(e: Expr): boolean {
  return e.kind === 'bool' && e.value;
}
