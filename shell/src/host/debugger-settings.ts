/**
 * Where the studio's debugger keeps its breakpoints and watch expressions between runs: one JSON
 * file in the studio's state folder, written in one rename. A file that does not read as
 * DebuggerSettings (edited by hand, from another version) is kept aside, never overwritten, and the
 * debugger starts with none.
 */
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeJsonAtomically } from '@phantom/vm-manager/node/machine-dir.js';
import { DebuggerSettings } from '../common/api.js';

const NONE: DebuggerSettings = { breakpoints: {}, watches: [] };

export class DebuggerSettingsFile {
  constructor(readonly file: string) {}

  async read(): Promise<DebuggerSettings> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NONE;
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const settings = DebuggerSettings.safeParse(json);
    if (settings.success) return settings.data;
    await rename(this.file, `${this.file}.unreadable`).catch(() => undefined);
    return NONE;
  }

  async write(settings: DebuggerSettings): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await writeJsonAtomically(this.file, settings);
  }
}
