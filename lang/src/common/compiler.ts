/**
 * The compiler's public API: source files in, a CompiledProgram (compiled.ts) and diagnostics
 * out; plus what an editor calls on every keystroke — `checkSource` (diagnostics of one file)
 * and `definitionAt` (go-to-definition). Nothing here throws on bad input.
 */
import type { SourceFile } from './ast.js';
import {
  type ClassSym,
  CONSTRUCTOR,
  declareClasses,
  makeUnit,
  type Reference,
  type Unit,
} from './checker.js';
import { compileClass } from './codegen.js';
import type { CompiledClass, CompiledMethod, CompiledProgram } from './compiled.js';
import { type Diagnostic, DiagnosticSink } from './diagnostics.js';
import { parse } from './parser.js';
import { PRELUDE_FILES } from './prelude.js';
import { LineMap } from './source-map.js';
import { FORMAT_VERSION } from './spec/generated.js';

export interface SourceInput {
  readonly file: string;
  readonly text: string;
}

export interface CompileResult {
  /** null when any diagnostic is an error. */
  readonly program: CompiledProgram | null;
  readonly diagnostics: readonly Diagnostic[];
}

export interface DefinitionLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

interface ParsedPrelude {
  readonly ast: SourceFile;
  readonly text: string;
  readonly diagnostics: readonly Diagnostic[];
}

let preludeCache: readonly ParsedPrelude[] | undefined;

/** The prelude is parsed once per process; each compilation gets fresh sinks for it. */
function preludeUnits(): Unit[] {
  preludeCache ??= PRELUDE_FILES.map((p) => {
    const sink = new DiagnosticSink(p.file, p.text);
    const ast = parse(p.text, sink);
    return { ast, text: p.text, diagnostics: sink.diagnostics };
  });
  return preludeCache.map((p) => {
    const sink = new DiagnosticSink(p.ast.file, p.text);
    sink.diagnostics.push(...p.diagnostics);
    return makeUnit(p.ast, sink);
  });
}

function parseUnit(source: SourceInput): Unit {
  const sink = new DiagnosticSink(source.file, source.text);
  return makeUnit(parse(source.text, sink), sink);
}

interface Analysis {
  readonly units: Unit[];
  readonly classes: ClassSym[];
  readonly methods: Map<ClassSym, CompiledMethod[]>;
}

function analyse(
  sources: readonly SourceInput[],
  includePreludeBodies: boolean,
  references?: Reference[],
): Analysis {
  const units = [...preludeUnits(), ...sources.map(parseUnit)];
  const table = declareClasses(units, references);
  const methods = new Map<ClassSym, CompiledMethod[]>();
  for (const cls of table.ordered) {
    if (cls.unit.isPrelude && !includePreludeBodies) continue;
    methods.set(cls, compileClass(table, cls, { references }));
  }
  return { units, classes: table.ordered, methods };
}

function diagnosticsOf(units: readonly Unit[]): Diagnostic[] {
  return units.flatMap((u) => u.sink.diagnostics);
}

/** Compiles a set of files (with the prelude) into a program, or reports why not. */
export function compile(sources: readonly SourceInput[]): CompileResult {
  const { units, classes, methods } = analyse(sources, true);
  const diagnostics = diagnosticsOf(units);
  if (diagnostics.some((d) => d.severity === 'error')) return { program: null, diagnostics };
  const toCompiled = (cls: ClassSym): CompiledClass => ({
    name: cls.name,
    superName: cls.superclass?.name ?? null,
    internalId: cls.internalId,
    kind: cls.kind,
    fieldNames: cls.fields.map((f) => f.name),
    vtable: cls.vtable.map((m) => [m.owner.name, m.name] as const),
    methods: methods.get(cls) ?? [],
    file: cls.unit.ast.file,
  });
  const prelude = classes.filter((c) => c.unit.isPrelude).map(toCompiled);
  const program = classes.filter((c) => !c.unit.isPrelude).map(toCompiled);
  return { program: { formatVersion: FORMAT_VERSION, classes: [...prelude, ...program] }, diagnostics };
}

/**
 * Diagnostics of one file, for an editor: the same checks as a build, without the prelude's
 * bodies. `project` holds the other files of the program (their classes are visible; their own
 * diagnostics are not returned).
 */
export function checkSource(
  text: string,
  file = 'untitled.ph',
  project: readonly SourceInput[] = [],
): Diagnostic[] {
  const others = project.filter((s) => s.file !== file);
  return diagnosticsOf(analyse([...others, { file, text }], false).units).filter((d) => d.file === file);
}

/** Where the name at (line, column) — 1-based — is declared, or null when there is no name there. */
export function definitionAt(
  text: string,
  line: number,
  column: number,
  file = 'untitled.ph',
  project: readonly SourceInput[] = [],
): DefinitionLocation | null {
  const references: Reference[] = [];
  const others = project.filter((s) => s.file !== file);
  const { units } = analyse([...others, { file, text }], false, references);
  const unit = units[units.length - 1]!;
  const offset = unit.sink.lines.offsetAt({ line, column });
  let best: Reference | undefined;
  for (const r of references) {
    if (r.unit !== unit || offset < r.span.start || offset > r.span.end) continue;
    if (best === undefined || r.span.end - r.span.start < best.span.end - best.span.start) best = r;
  }
  if (best === undefined) return null;
  const target = best.target;
  const lines = target.unit === unit ? unit.sink.lines : new LineMap(target.unit.sink.text);
  const from = lines.positionAt(target.span.start);
  const to = lines.positionAt(target.span.end);
  return {
    file: target.unit.ast.file,
    line: from.line,
    column: from.column,
    endLine: to.line,
    endColumn: to.column,
  };
}

/**
 * Why a class cannot be a program's entry (empty when it can): the image starts one thread per
 * main class that runs `new C().run()`, so C needs a constructor without arguments and an
 * instance method `void run()`.
 */
export function entryProblems(program: CompiledProgram, className: string): string[] {
  const cls = program.classes.find((c) => c.name === className);
  if (cls === undefined) return [`no class ${className} in the program`];
  if (cls.internalId !== 0) return [`${className} is a system class`];
  const problems: string[] = [];
  const ctor = cls.methods.find((m) => m.name === CONSTRUCTOR);
  if (ctor === undefined || ctor.argc !== 1)
    problems.push(`${className} needs a constructor without arguments`);
  const run = cls.vtable.find(([, name]) => name === 'run');
  const owner = run && program.classes.find((c) => c.name === run[0]);
  const method = owner?.methods.find((m) => m.name === 'run');
  if (method === undefined || method.signature !== '()void')
    problems.push(`${className} needs a method void run()`);
  return problems;
}
