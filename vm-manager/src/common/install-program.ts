/**
 * What installing a program's source into a running machine needs of lang, for the studio's
 * "Install into machine" and `phantom install` alike: the classes one source file declares,
 * compiled (or its errors), and which of them "Install and run" starts. Sending them is
 * node/machine-channel.ts's.
 */
import type { CompiledClass } from '@phantom/lang/common/compiled.js';
import { compile } from '@phantom/lang/common/compiler.js';
import type { Diagnostic } from '@phantom/lang/common/diagnostics.js';
import { VmError } from './errors.js';

/** A source file compiled for installing: its classes, or its errors and no classes. */
export interface CompileForInstallResult {
  classes: CompiledClass[];
  errors: Diagnostic[];
}

/**
 * The classes `text` (the source file `file`) declares, compiled, in declaration order
 * (superclasses first); or, when it does not compile, its errors and no classes.
 */
export function compileForInstall(file: string, text: string): CompileForInstallResult {
  const { program, diagnostics } = compile([{ file, text }]);
  if (!program) return { classes: [], errors: diagnostics.filter((d) => d.severity === 'error') };
  return { classes: program.classes.filter((c) => c.file === file && c.internalId === 0), errors: [] };
}

/**
 * The class "Install and run" starts: the one named like its file (notes.ph → .demo.notes) if it
 * has a run() method, else the file's only class with one. Anything else is ambiguous (bad-input).
 */
export function programClassName(file: string, classes: readonly CompiledClass[]): string {
  const runnable = classes.filter((c) => c.methods.some((m) => m.name === 'run' && m.argc === 1));
  const shown = file.replace(/^.*\//, '');
  const base = shown.replace(/\.ph$/, '');
  const named = runnable.find((c) => c.name.endsWith(`.${base}`));
  if (named) return named.name;
  if (runnable.length === 1) return runnable[0]!.name;
  throw new VmError(
    'bad-input',
    runnable.length === 0
      ? `${shown} has no class with a run() method to start`
      : `${shown} has several classes with run() and none named ${base}: ${runnable.map((c) => c.name).join(', ')}`,
  );
}
