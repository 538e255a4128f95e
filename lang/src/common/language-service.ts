/**
 * The editor's view of a program: what a language server (node/lsp/server.ts) answers about one
 * document — diagnostics, go to definition, references, rename, hover, completion and an
 * outline. It runs the compiler's own analysis (compiler.ts `analyse`) with a Recorder, and reads
 * only what the checker noted on the way: which declaration each name resolved to, the type of
 * every expression, every local and where it is in scope. There is no second parser or checker
 * here, so the editor sees the program exactly as a build does.
 *
 * Positions are 1-based lines and columns counted in UTF-16 code units, as the compiler's
 * diagnostics are; files are named as the caller named them (a language server uses URIs).
 * Nothing here throws on bad input.
 */
import type { ClassDecl, MethodDecl, Span } from './ast.js';
import {
  type ClassSym,
  type ClassTable,
  declSiteOf,
  type FieldSym,
  type LocalSym,
  type MethodSym,
  newRecorder,
  OBJECT_CLASS,
  type Recorder,
  type Reference,
  resolveClassName,
  type Sym,
  type TypedExpression,
  typeName,
  type Unit,
} from './checker.js';
import { analyse, type SourceInput } from './compiler.js';
import type { Diagnostic } from './diagnostics.js';
import { KEYWORDS } from './lexer.js';
import type { Position } from './source-map.js';
import { INTERNAL_CLASSES, NATIVES } from './spec/generated.js';

/** A range of a file: 1-based, the end exclusive (as Diagnostic's). */
export interface SourceRange {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export type CompletionKind = 'class' | 'package' | 'field' | 'method' | 'variable' | 'keyword';

export interface CompletionEntry {
  readonly label: string;
  readonly kind: CompletionKind;
  /** The declaration in one line: `static void println(text : string)`. */
  readonly detail?: string;
  /** Markdown: the system's documentation or the comment above the declaration. */
  readonly documentation?: string;
  /** What to insert when it differs from the label (a class not imported: its full name). */
  readonly insertText?: string;
  /** Orders entries the user most likely wants first (members of the receiver's own class first). */
  readonly sortText: string;
}

export interface HoverInfo {
  readonly range: SourceRange;
  /** The declaration as Phantom code. */
  readonly code: string;
  /** Markdown: where it is declared, and its documentation. */
  readonly documentation: string;
}

export type OutlineKind = 'class' | 'field' | 'method' | 'constructor';

export interface OutlineSymbol {
  readonly name: string;
  readonly kind: OutlineKind;
  readonly detail: string;
  /** The whole declaration. */
  readonly range: SourceRange;
  /** Its name. */
  readonly selection: SourceRange;
  readonly children: readonly OutlineSymbol[];
}

/** Why a rename cannot be done, in words for the user. */
export interface Refusal {
  readonly refused: string;
}

export interface RenameEdits {
  /** Every range to replace with the new name, across the program's files. */
  readonly edits: readonly SourceRange[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IDENTIFIER_CHAR = /[A-Za-z0-9_]/;

/** Keywords that start a statement or an expression inside a method body. */
const BODY_KEYWORDS = [
  'var',
  'if',
  'else',
  'while',
  'for',
  'return',
  'break',
  'continue',
  'throw',
  'try',
  'catch',
  'new',
  'this',
  'super',
  'null',
  'true',
  'false',
  'instanceof',
  'int',
  'boolean',
  'any',
] as const;
/** Keywords that start a member of a class or a declaration of the file. */
const DECLARATION_KEYWORDS = [
  'package',
  'import',
  'class',
  'extends',
  'var',
  'static',
  'void',
  'int',
  'boolean',
  'any',
] as const;

/** One symbol's occurrences are found by this key: its declaration (a method's: the one it overrides first). */
function identityOf(sym: Sym): string {
  const site = declSiteOf(canonical(sym));
  return `${site.unit.ast.file}\u0000${site.span.start}`;
}

/**
 * The symbol whose occurrences go together: a constructor stands for its class (renaming a
 * class renames its constructors), and an instance method for the first declaration of the
 * methods that override one another (renaming one renames them all, or the overriding breaks).
 */
function canonical(sym: Sym): Sym {
  if (sym.kind !== 'method') return sym;
  const m = sym.method;
  if (m.isConstructor) return { kind: 'class', cls: m.owner };
  if (m.isStatic) return sym;
  let root = m;
  for (let c = m.owner.superclass; c !== null; c = c.superclass) {
    const inherited = c.methods.get(m.name);
    if (inherited !== undefined && !inherited.isStatic && !inherited.isConstructor) root = inherited;
  }
  return { kind: 'method', method: root };
}

function simpleName(sym: Sym): string {
  switch (sym.kind) {
    case 'class':
      return sym.cls.decl.name;
    case 'field':
      return sym.field.name;
    case 'method':
      return sym.method.isConstructor ? sym.method.owner.decl.name : sym.method.name;
    case 'local':
      return sym.local.name;
  }
}

function params(m: MethodSym): string {
  const names = m.decl?.params.map((p) => p.name) ?? [];
  return m.params.map((t, i) => `${names[i] ?? `arg${i}`} : ${typeName(t)}`).join(', ');
}

function methodLine(m: MethodSym): string {
  if (m.isConstructor) return `${m.owner.decl.name}(${params(m)})`;
  const mods = `${m.isStatic ? 'static ' : ''}${m.nativeId !== 0 ? 'native ' : ''}`;
  return `${mods}${typeName(m.returnType)} ${m.name}(${params(m)})`;
}

function classLine(cls: ClassSym): string {
  const sup = cls.superclass;
  return `class ${cls.name}${sup !== null && sup.name !== OBJECT_CLASS ? ` extends ${sup.name}` : ''}`;
}

/** How far above a declaration its comment may begin. */
const MAX_COMMENT_LINES = 50;

/**
 * The comment just above a declaration (`// …` lines or one `/* … *\/` block), as its
 * documentation; code or a blank line in between means it has none. Reads backwards from the
 * declaration, a line at a time, so it costs the same in a long file as in a short one.
 */
export function leadingComment(text: string, declStart: number): string | undefined {
  let lineStart = text.lastIndexOf('\n', declStart - 1) + 1;
  if (text.slice(lineStart, declStart).trim() !== '') return undefined;
  const lines: string[] = [];
  while (lineStart > 0 && lines.length < MAX_COMMENT_LINES) {
    const previous = text.lastIndexOf('\n', lineStart - 2) + 1;
    lines.unshift(text.slice(previous, lineStart - 1).trim());
    lineStart = previous;
  }
  const last = lines.at(-1);
  if (last?.endsWith('*/')) {
    let open = lines.length - 1;
    while (open >= 0 && !lines[open]!.includes('/*')) open--;
    if (open < 0) return undefined;
    const block = lines.slice(open).join('\n');
    const body = block.slice(block.indexOf('/*') + 2, block.lastIndexOf('*/')).replace(/^\*+/, '');
    const doc = body
      .split('\n')
      .map((l) => l.replace(/^\s*\*?\s?/, '').trimEnd())
      .join('\n')
      .trim();
    return doc || undefined;
  }
  const comment: string[] = [];
  for (let i = lines.length - 1; i >= 0 && lines[i]!.startsWith('//'); i--)
    comment.unshift(lines[i]!.replace(/^\/\/\s?/, ''));
  return comment.length > 0 ? comment.join('\n') : undefined;
}

/** The documentation of a declaration: the system's own (spec/*.def) first, else its comment. */
function documentationOf(sym: Sym): string | undefined {
  switch (sym.kind) {
    case 'class': {
      const internal = INTERNAL_CLASSES.find((c) => c.fullName === sym.cls.name);
      const comment = leadingComment(sym.cls.unit.sink.text, sym.cls.decl.start);
      return [internal?.doc, comment].filter((d) => d !== undefined).join('\n\n') || undefined;
    }
    case 'field':
      return leadingComment(sym.field.owner.unit.sink.text, sym.field.decl.start);
    case 'method': {
      const m = sym.method;
      const native = NATIVES.find((n) => n.className === m.owner.name && n.method === m.name);
      if (native !== undefined) return native.doc;
      return m.decl === null ? undefined : leadingComment(m.owner.unit.sink.text, m.decl.start);
    }
    case 'local':
      return undefined;
  }
}

function codeOf(sym: Sym): string {
  switch (sym.kind) {
    case 'class':
      return classLine(sym.cls);
    case 'field':
      return `var ${sym.field.name} : ${typeName(sym.field.type)}`;
    case 'method':
      return methodLine(sym.method);
    case 'local':
      return `var ${sym.local.name} : ${typeName(sym.local.type)}`;
  }
}

function whereOf(sym: Sym): string {
  switch (sym.kind) {
    case 'class':
      return sym.cls.internalId !== 0 ? 'system class' : 'class';
    case 'field':
      return `field of \`${sym.field.owner.name}\``;
    case 'method':
      return `${sym.method.isConstructor ? 'constructor' : 'method'} of \`${sym.method.owner.name}\``;
    case 'local':
      return sym.local.isParameter ? 'parameter' : 'local variable';
  }
}

function containsOffset(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}

function smaller(a: Span, b: Span): boolean {
  return a.end - a.start < b.end - b.start;
}

interface Occurrence {
  readonly unit: Unit;
  readonly span: Span;
  readonly sym: Sym;
}

/** What the method body at an offset sees: its class, its method (null between methods). */
interface Context {
  readonly cls: ClassSym | undefined;
  readonly method: MethodSym | undefined;
}

/**
 * One document analysed with the rest of its program. `project` holds the program's other files;
 * the document is analysed first, so where another file declares a class of the same name, the
 * document's own declaration is the one its features see (and the duplicate is the other
 * file's problem).
 */
export class DocumentAnalysis {
  private readonly recorder: Recorder = newRecorder();
  private readonly unit: Unit;
  private readonly table: ClassTable;
  private declarationsCache: Occurrence[] | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
    project: readonly SourceInput[] = [],
  ) {
    const others = project.filter((s) => s.file !== file);
    const { units, table } = analyse([{ file, text }, ...others], false, this.recorder);
    this.table = table;
    this.unit = units[units.length - 1 - others.length]!;
  }

  /** The document's errors and warnings, as a build of the same program reports them. */
  get diagnostics(): Diagnostic[] {
    return [...this.unit.sink.diagnostics];
  }

  /** Where the name at the position is declared (a system class's: in a `<prelude>/…` file); null where there is no name. */
  definition(line: number, column: number): SourceRange | null {
    const found = this.symbolAt(this.offsetOf(line, column));
    if (found === undefined) return null;
    const site = declSiteOf(found.sym);
    return this.rangeOf(site.unit, site.span);
  }

  /** Every use of the symbol at the position across the program (and its declarations, if asked). */
  references(line: number, column: number, includeDeclaration: boolean): SourceRange[] {
    const found = this.symbolAt(this.offsetOf(line, column));
    if (found === undefined) return [];
    const occurrences = this.occurrencesOf(found.sym, includeDeclaration);
    return occurrences.filter((o) => !o.unit.isPrelude).map((o) => this.nameRange(o));
  }

  /** The name a rename at the position would change, or why it cannot be renamed. */
  prepareRename(line: number, column: number): { range: SourceRange; placeholder: string } | Refusal {
    const found = this.symbolAt(this.offsetOf(line, column));
    if (found === undefined) return { refused: 'There is no name here to rename.' };
    const refusal = this.renameRefusal(found.sym);
    if (refusal !== undefined) return refusal;
    return {
      range: this.nameRange({ unit: this.unit, span: found.span, sym: found.sym }),
      placeholder: simpleName(found.sym),
    };
  }

  /** The edits that rename the symbol at the position everywhere in the program. */
  rename(line: number, column: number, newName: string): RenameEdits | Refusal {
    const found = this.symbolAt(this.offsetOf(line, column));
    if (found === undefined) return { refused: 'There is no name here to rename.' };
    const refusal = this.renameRefusal(found.sym);
    if (refusal !== undefined) return refusal;
    if (!IDENTIFIER.test(newName) || KEYWORDS.has(newName))
      return {
        refused: `'${newName}' is not a name (a letter or _, then letters, digits or _; not a keyword).`,
      };
    const seen = new Set<string>();
    const edits: SourceRange[] = [];
    for (const o of this.occurrencesOf(found.sym, true)) {
      const range = this.nameRange(o);
      const key = `${range.file}:${range.line}:${range.column}`;
      if (!seen.has(key)) {
        seen.add(key);
        edits.push(range);
      }
    }
    return { edits };
  }

  /** The declaration behind the name at the position: its code, where it lives, its documentation. */
  hover(line: number, column: number): HoverInfo | null {
    const found = this.symbolAt(this.offsetOf(line, column));
    if (found === undefined) return null;
    const doc = documentationOf(found.sym);
    return {
      range: this.rangeOf(this.unit, found.span),
      code: codeOf(found.sym),
      documentation: [`*${whereOf(found.sym)}*`, doc].filter((d) => d !== undefined).join('\n\n'),
    };
  }

  /** The document's classes with their fields, constructors and methods. */
  outline(): OutlineSymbol[] {
    return this.unit.ast.classes.flatMap((decl) => {
      const cls = this.classOfDecl(decl);
      if (cls === undefined) return [];
      const children: OutlineSymbol[] = [];
      for (const f of decl.fields) {
        const field = cls.fieldsByName.get(f.name);
        children.push({
          name: f.name,
          kind: 'field',
          detail: field?.decl === f ? typeName(field.type) : '',
          range: this.rangeOf(this.unit, f),
          selection: this.rangeOf(this.unit, f.nameSpan),
          children: [],
        });
      }
      for (const md of decl.methods) {
        const m = cls.methods.get(md.name);
        children.push({
          name: md.isConstructor ? decl.name : md.name,
          kind: md.isConstructor ? 'constructor' : 'method',
          detail: m?.decl === md ? methodLine(m) : '',
          range: this.rangeOf(this.unit, md),
          selection: this.rangeOf(this.unit, md.nameSpan),
          children: [],
        });
      }
      children.sort((a, b) => a.range.line - b.range.line || a.range.column - b.range.column);
      return [
        {
          name: decl.name,
          kind: 'class',
          detail: cls.name,
          range: this.rangeOf(this.unit, decl),
          selection: this.rangeOf(this.unit, decl.nameSpan),
          children,
        },
      ];
    });
  }

  /**
   * What may be written at the position: after `receiver.`, the members of the receiver's class
   * (its static methods when it names a class); after a `.` that starts a full name, the next
   * part of the known class names; elsewhere the locals in scope, the members of the enclosing
   * class, the classes the file can name and the keywords that fit.
   */
  completions(line: number, column: number): CompletionEntry[] {
    const offset = this.offsetOf(line, column);
    const text = this.text;
    let prefixStart = offset;
    while (prefixStart > 0 && IDENTIFIER_CHAR.test(text[prefixStart - 1]!)) prefixStart--;
    let dot = prefixStart - 1;
    while (dot >= 0 && /\s/.test(text[dot]!)) dot--;
    if (dot >= 0 && text[dot] === '.') {
      const path = this.fullNameBefore(dot);
      if (path !== undefined) return this.fullNameCompletions(path);
      return this.memberCompletions(dot, offset);
    }
    return this.scopeCompletions(offset);
  }

  // ── finding symbols ──

  private offsetOf(line: number, column: number): number {
    return this.unit.sink.lines.offsetAt({ line, column } satisfies Position);
  }

  private rangeOf(unit: Unit, span: Span): SourceRange {
    const lines = unit.sink.lines;
    const from = lines.positionAt(span.start);
    const to = lines.positionAt(span.end);
    return {
      file: unit.ast.file,
      line: from.line,
      column: from.column,
      endLine: to.line,
      endColumn: to.column,
    };
  }

  /** The name itself inside an occurrence's span (`counter` in `.demo.counter[]` or in an import). */
  private nameRange(o: Occurrence): SourceRange {
    const name = simpleName(o.sym);
    const source = o.unit.sink.text;
    const slice = source.slice(o.span.start, o.span.end);
    let at = slice.length;
    for (;;) {
      at = slice.lastIndexOf(name, at - 1);
      if (at < 0) return this.rangeOf(o.unit, o.span);
      const before = slice[at - 1];
      const after = slice[at + name.length];
      const whole =
        (before === undefined || !IDENTIFIER_CHAR.test(before)) &&
        (after === undefined || !IDENTIFIER_CHAR.test(after));
      if (whole) {
        const start = o.span.start + at;
        return this.rangeOf(o.unit, { start, end: start + name.length });
      }
      if (at === 0) return this.rangeOf(o.unit, o.span);
    }
  }

  /** Every declaration of the program's files, by the name in it. */
  private declarations(): Occurrence[] {
    if (this.declarationsCache !== undefined) return this.declarationsCache;
    const out: Occurrence[] = [];
    for (const cls of this.table.classes.values()) {
      out.push({ unit: cls.unit, span: cls.decl.nameSpan, sym: { kind: 'class', cls } });
      for (const field of cls.fields)
        if (field.owner === cls)
          out.push({ unit: cls.unit, span: field.decl.nameSpan, sym: { kind: 'field', field } });
      for (const method of cls.methods.values())
        if (method.decl !== null)
          out.push({ unit: cls.unit, span: method.decl.nameSpan, sym: { kind: 'method', method } });
    }
    for (const local of this.recorder.locals)
      out.push({ unit: local.site.unit, span: local.site.span, sym: { kind: 'local', local } });
    this.declarationsCache = out;
    return out;
  }

  /** The innermost name at an offset of the document: a use or a declaration. */
  private symbolAt(offset: number): { sym: Sym; span: Span } | undefined {
    let best: { sym: Sym; span: Span } | undefined;
    const consider = (unit: Unit, span: Span, sym: Sym) => {
      if (unit !== this.unit || !containsOffset(span, offset)) return;
      if (best === undefined || smaller(span, best.span)) best = { sym, span };
    };
    for (const r of this.recorder.references) consider(r.unit, r.span, r.symbol);
    for (const d of this.declarations()) consider(d.unit, d.span, d.sym);
    return best;
  }

  private occurrencesOf(sym: Sym, includeDeclaration: boolean): Occurrence[] {
    const id = identityOf(sym);
    const uses = this.recorder.references
      .filter((r: Reference) => identityOf(r.symbol) === id)
      .map((r) => ({ unit: r.unit, span: r.span, sym: r.symbol }));
    if (!includeDeclaration) return uses;
    const decls = this.declarations().filter((d) => identityOf(d.sym) === id);
    return [...decls, ...uses].sort(
      (a, b) => a.unit.ast.file.localeCompare(b.unit.ast.file) || a.span.start - b.span.start,
    );
  }

  private renameRefusal(sym: Sym): Refusal | undefined {
    const c = canonical(sym);
    const family = this.declarations().filter((d) => identityOf(d.sym) === identityOf(c));
    if (declSiteOf(c).unit.isPrelude || family.some((d) => d.unit.isPrelude))
      return { refused: `${simpleName(sym)} belongs to the system classes, which cannot be renamed.` };
    return undefined;
  }

  private classOfDecl(decl: ClassDecl): ClassSym | undefined {
    const cls = this.table.get(`${this.unit.ast.packageName}.${decl.name}`);
    return cls?.decl === decl ? cls : undefined;
  }

  /** The class and method (by their declarations' spans) around an offset of the document. */
  private contextAt(offset: number): Context {
    for (const decl of this.unit.ast.classes) {
      if (!containsOffset(decl, offset)) continue;
      const cls = this.classOfDecl(decl);
      const md: MethodDecl | undefined = decl.methods.find(
        (m) => m.body !== null && containsOffset(m.body, offset) && offset > m.body.start,
      );
      const method = md === undefined ? undefined : cls?.methods.get(md.name);
      return { cls, method: method?.decl === md ? method : undefined };
    }
    return { cls: undefined, method: undefined };
  }

  // ── completion ──

  /**
   * The full name typed before a dot (`.internal.io` of `.internal.io.`), or undefined when the
   * dot follows a value (`a.b.`): a full name starts with a dot that no name, `)` or `]` precedes.
   */
  private fullNameBefore(dot: number): string | undefined {
    let start = dot;
    while (start > 0 && (IDENTIFIER_CHAR.test(this.text[start - 1]!) || this.text[start - 1] === '.'))
      start--;
    if (this.text[start] !== '.') return undefined;
    const before = this.text[start - 1];
    if (before !== undefined && /[)\]]/.test(before)) return undefined;
    return this.text.slice(start, dot);
  }

  private fullNameCompletions(path: string): CompletionEntry[] {
    const prefix = `${path}.`;
    const entries = new Map<string, CompletionEntry>();
    for (const cls of this.table.classes.values()) {
      if (!cls.name.startsWith(prefix)) continue;
      const rest = cls.name.slice(prefix.length);
      const part = rest.split('.')[0]!;
      if (part === '' || entries.has(part)) continue;
      entries.set(
        part,
        part === rest
          ? this.classEntry(cls, part, '1')
          : { label: part, kind: 'package', detail: `package ${prefix}${part}`, sortText: `0${part}` },
      );
    }
    return [...entries.values()];
  }

  private memberCompletions(dot: number, offset: number): CompletionEntry[] {
    let end = dot;
    while (end > 0 && /\s/.test(this.text[end - 1]!)) end--;
    const { cls } = this.contextAt(offset);
    if (
      this.text.slice(Math.max(0, end - 5), end) === 'super' &&
      !IDENTIFIER_CHAR.test(this.text[end - 6] ?? ' ')
    ) {
      const sup = cls?.superclass;
      return sup ? this.instanceMembers(sup, false) : [];
    }
    // The receiver is the innermost expression ending there (`x` of `-x.`); a class name wins.
    const candidates = this.recorder.expressions.filter((e) => e.unit === this.unit && e.span.end === end);
    const className = candidates.find((e) => e.namesClass !== undefined)?.namesClass;
    if (className !== undefined) return this.staticMembers(className);
    const receiver = candidates.reduce<TypedExpression | undefined>(
      (best, e) => (best === undefined || e.span.start > best.span.start ? e : best),
      undefined,
    );
    if (receiver === undefined) return [];
    const t = receiver.type;
    const entries: CompletionEntry[] = [];
    if (t.k === 'array')
      entries.push({ label: 'length', kind: 'field', detail: 'int length', sortText: '0length' });
    const memberClass = this.table.memberClass(t);
    if (memberClass !== undefined) entries.push(...this.instanceMembers(memberClass, t.k === 'class'));
    return entries;
  }

  /** Fields and methods of an instance of `cls` (inherited ones too), then its static methods. */
  private instanceMembers(cls: ClassSym, withFields: boolean): CompletionEntry[] {
    const entries: CompletionEntry[] = [];
    if (withFields) for (const f of cls.fields) entries.push(this.fieldEntry(f, cls));
    const seen = new Set<string>();
    for (const m of cls.vtable) {
      seen.add(m.name);
      entries.push(this.methodEntry(m, cls));
    }
    for (const m of this.staticMethodsOf(cls))
      if (!seen.has(m.name)) entries.push(this.methodEntry(m, cls, '2'));
    return entries;
  }

  private staticMembers(cls: ClassSym): CompletionEntry[] {
    return this.staticMethodsOf(cls).map((m) => this.methodEntry(m, cls));
  }

  private staticMethodsOf(cls: ClassSym): MethodSym[] {
    const out: MethodSym[] = [];
    const seen = new Set<string>();
    for (let c: ClassSym | null = cls; c !== null; c = c.superclass)
      for (const m of c.methods.values())
        if (m.isStatic && !seen.has(m.name)) {
          seen.add(m.name);
          out.push(m);
        }
    return out;
  }

  private scopeCompletions(offset: number): CompletionEntry[] {
    const { cls, method } = this.contextAt(offset);
    const entries: CompletionEntry[] = [];
    const names = new Set<string>();
    const add = (e: CompletionEntry) => {
      if (names.has(e.label)) return;
      names.add(e.label);
      entries.push(e);
    };
    if (method !== undefined && cls !== undefined) {
      const visible = this.recorder.locals
        .filter((l) => l.site.unit === this.unit && l.scope.start <= offset && offset <= l.scope.end)
        .sort((a, b) => b.site.span.start - a.site.span.start);
      for (const l of visible) add(this.localEntry(l));
      if (!method.isStatic) for (const f of cls.fields) add(this.fieldEntry(f, cls));
      for (const m of method.isStatic ? [] : cls.vtable) add(this.methodEntry(m, cls));
      for (const m of this.staticMethodsOf(cls)) add(this.methodEntry(m, cls));
      for (const k of BODY_KEYWORDS) add({ label: k, kind: 'keyword', sortText: `4${k}` });
    } else {
      for (const k of DECLARATION_KEYWORDS) add({ label: k, kind: 'keyword', sortText: `4${k}` });
    }
    for (const e of this.classEntries()) add(e);
    return entries;
  }

  /** The classes the document can name: by their simple names if it can, else by their full names. */
  private classEntries(): CompletionEntry[] {
    const entries: CompletionEntry[] = [];
    for (const cls of this.table.classes.values()) {
      if (cls.name === '.internal.boot') continue;
      const simple = cls.decl.name;
      const byName = resolveClassName(this.table, this.unit, simple) === cls;
      entries.push(
        byName
          ? this.classEntry(cls, simple, '3')
          : { ...this.classEntry(cls, simple, '5'), insertText: cls.name },
      );
    }
    return entries;
  }

  private classEntry(cls: ClassSym, label: string, rank: string): CompletionEntry {
    const documentation = documentationOf({ kind: 'class', cls });
    return {
      label,
      kind: 'class',
      detail: classLine(cls),
      ...(documentation ? { documentation } : {}),
      sortText: `${rank}${label}`,
    };
  }

  private fieldEntry(f: FieldSym, receiver: ClassSym): CompletionEntry {
    const documentation = documentationOf({ kind: 'field', field: f });
    return {
      label: f.name,
      kind: 'field',
      detail: `${typeName(f.type)} ${f.name} — ${f.owner.name}`,
      ...(documentation ? { documentation } : {}),
      sortText: `${f.owner === receiver ? '0' : '1'}${f.name}`,
    };
  }

  private methodEntry(m: MethodSym, receiver: ClassSym, rank?: string): CompletionEntry {
    const documentation = documentationOf({ kind: 'method', method: m });
    return {
      label: m.name,
      kind: 'method',
      detail: `${methodLine(m)} — ${m.owner.name}`,
      ...(documentation ? { documentation } : {}),
      sortText: `${rank ?? (m.owner === receiver ? '0' : '1')}${m.name}`,
    };
  }

  private localEntry(l: LocalSym): CompletionEntry {
    return {
      label: l.name,
      kind: 'variable',
      detail: `${typeName(l.type)} ${l.name} — ${l.isParameter ? 'parameter' : 'local'}`,
      sortText: `0${l.name}`,
    };
  }
}

/** Where the name at (line, column) — 1-based — is declared, or null when there is no name there. */
export function definitionAt(
  text: string,
  line: number,
  column: number,
  file = 'untitled.ph',
  project: readonly SourceInput[] = [],
): SourceRange | null {
  return new DocumentAnalysis(file, text, project).definition(line, column);
}
