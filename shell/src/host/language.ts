/**
 * The editor's language services in the host: lang's checker and go-to-definition over an
 * unsaved buffer, with lang's diagnostics turned into the API's. A buffer is named by its root
 * and path, so a definition in the same file comes back as an editor location.
 */
import type { CompiledClass } from '@phantom/lang/common/compiled.js';
import { checkSource, compile, definitionAt } from '@phantom/lang/common/compiler.js';
import { ApiError, type Diagnostic, ErrorCode, type FileEntry, type SourceLocation } from '../common/api.js';

function fileName(entry: FileEntry): string {
  return `${entry.root}/${entry.path}`;
}

export function checkProgram(entry: FileEntry, text: string): Diagnostic[] {
  return checkSource(text, fileName(entry)).map((d) => ({
    severity: d.severity,
    message: d.message,
    code: d.code,
    line: d.line,
    column: d.column,
    endLine: d.endLine,
    endColumn: Math.max(d.endColumn, d.line === d.endLine ? d.column + 1 : 1),
  }));
}

/**
 * Where the name at (line, column) is declared, when that is in this buffer; declarations in
 * the system classes (the prelude) have no file the editor could open, so they give null.
 */
export function definitionOf(
  entry: FileEntry,
  text: string,
  line: number,
  column: number,
): SourceLocation | null {
  const target = definitionAt(text, line, column, fileName(entry));
  if (!target || target.file !== fileName(entry)) return null;
  return { ...entry, line: target.line, column: target.column };
}

/** The classes a buffer declares, compiled, in declaration order (superclasses first); errors refuse. */
export function compileClasses(entry: FileEntry, text: string): CompiledClass[] {
  const file = fileName(entry);
  const { program, diagnostics } = compile([{ file, text }]);
  if (!program) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    throw new ApiError({
      code: ErrorCode.InvalidParams,
      message: `${entry.path} does not compile (${errors.length} error${errors.length === 1 ? '' : 's'})`,
      details: errors.map((d) => `${d.line}:${d.column}: ${d.message}`).join('\n'),
    });
  }
  return program.classes.filter((c) => c.file === file && c.internalId === 0);
}

/**
 * The class "Install and run" starts: the one named like its file (notes.ph → .demo.notes) if it
 * has a run() method, else the file's only class with one. Anything else is ambiguous.
 */
export function programClassName(entry: FileEntry, classes: readonly CompiledClass[]): string {
  const runnable = classes.filter((c) => c.methods.some((m) => m.name === 'run' && m.argc === 1));
  const base = fileName(entry).replace(/^.*\//, '').replace(/\.ph$/, '');
  const named = runnable.find((c) => c.name.endsWith(`.${base}`));
  if (named) return named.name;
  if (runnable.length === 1) return runnable[0]!.name;
  throw new ApiError({
    code: ErrorCode.InvalidParams,
    message:
      runnable.length === 0
        ? `${entry.path} has no class with a run() method to start`
        : `${entry.path} has several classes with run() and none named ${base}: ${runnable.map((c) => c.name).join(', ')}`,
  });
}
