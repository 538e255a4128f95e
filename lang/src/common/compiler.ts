/**
 * The compiler's public API: source files in, a CompiledProgram (compiled.ts) and diagnostics
 * out; plus `checkSource` (the diagnostics of one file) and `analyse`, the same checks with what
 * an editor's features need recorded along the way (language-service.ts reads it). Nothing here
 * throws on bad input.
 */
import type { SourceFile } from './ast.js';
import {
  type ClassSym,
  type ClassTable,
  CONSTRUCTOR,
  declareClasses,
  makeUnit,
  type Recorder,
  type Unit,
} from './checker.js';
import { compileClass } from './codegen.js';
import type { CompiledClass, CompiledMethod, CompiledProgram } from './compiled.js';
import { type Diagnostic, DiagnosticSink } from './diagnostics.js';
import { parse } from './parser.js';
import { PRELUDE_FILES } from './prelude.js';
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

export interface Analysis {
  /** The prelude's files, then the sources in their order. */
  readonly units: Unit[];
  readonly table: ClassTable;
  readonly methods: Map<ClassSym, CompiledMethod[]>;
}

/**
 * Parses, declares, checks and compiles the sources with the prelude. The prelude's method
 * bodies only when `includePreludeBodies` (a build needs them, an editor does not); with a
 * `recorder`, what the editor's features need is noted on the way.
 */
export function analyse(
  sources: readonly SourceInput[],
  includePreludeBodies: boolean,
  recorder?: Recorder,
): Analysis {
  const units = [...preludeUnits(), ...sources.map(parseUnit)];
  const table = declareClasses(units, recorder);
  const methods = new Map<ClassSym, CompiledMethod[]>();
  for (const cls of table.ordered) {
    if (cls.unit.isPrelude && !includePreludeBodies) continue;
    methods.set(cls, compileClass(table, cls, { recorder }));
  }
  return { units, table, methods };
}

function diagnosticsOf(units: readonly Unit[]): Diagnostic[] {
  return units.flatMap((u) => u.sink.diagnostics);
}

/** Compiles a set of files (with the prelude) into a program, or reports why not. */
export function compile(sources: readonly SourceInput[]): CompileResult {
  const { units, table, methods } = analyse(sources, true);
  const classes = table.ordered;
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
