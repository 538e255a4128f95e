/**
 * Installing an editor buffer, as the API asks for it: the buffer's file name, compiled by
 * vm-manager's install-program.ts (as `phantom install` compiles a file), a buffer with errors
 * refused with them as the details, and the class "Install and run" starts. The editor's
 * diagnostics and the rest come from the language server (language-server.ts).
 */
import type { CompiledClass } from '@phantom/lang/common/compiled.js';
import { compileForInstall, programClassName } from '@phantom/vm-manager/common/install-program.js';
import { ApiError, ErrorCode, type FileEntry } from '../common/api.js';

function fileName(entry: FileEntry): string {
  return `${entry.root}/${entry.path}`;
}

/** The classes a buffer declares, compiled, in declaration order (superclasses first); errors refuse. */
export function compileClasses(entry: FileEntry, text: string): CompiledClass[] {
  const { classes, errors } = compileForInstall(fileName(entry), text);
  if (errors.length > 0)
    throw new ApiError({
      code: ErrorCode.InvalidParams,
      message: `${entry.path} does not compile (${errors.length} error${errors.length === 1 ? '' : 's'})`,
      details: errors.map((d) => `${d.line}:${d.column}: ${d.message}`).join('\n'),
    });
  return classes;
}

/** The class "Install and run" starts (vm-manager's `programClassName`), its refusal as bad params. */
export function programClass(entry: FileEntry, classes: readonly CompiledClass[]): string {
  try {
    return programClassName(fileName(entry), classes);
  } catch (err) {
    throw new ApiError({ code: ErrorCode.InvalidParams, message: (err as Error).message });
  }
}
