/**
 * A program file to install (`phantom install`, `phantom dap`'s launch): read and compiled as
 * common/install-program.ts says, or a VmError a user can act on.
 */
import { readFile } from 'node:fs/promises';
import { VmError } from '../common/errors.js';
import { type CompileForInstallResult, compileForInstall } from '../common/install-program.js';

export async function readProgramFile(file: string): Promise<CompileForInstallResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new VmError('bad-input', `cannot read ${file}: ${(err as Error).message}`);
  }
  return compileForInstall(file, text);
}
