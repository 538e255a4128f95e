/**
 * What installing an editor buffer needs of lang in the host: its classes, compiled (a buffer
 * with errors is refused, with them as the details), and which of them "Install and run" starts.
 * The editor's diagnostics and the rest come from the language server (language-server.ts).
 */
import type { CompiledClass } from '@phantom/lang/common/compiled.js';
import { compile } from '@phantom/lang/common/compiler.js';
import { ApiError, ErrorCode, type FileEntry } from '../common/api.js';

function fileName(entry: FileEntry): string {
  return `${entry.root}/${entry.path}`;
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
