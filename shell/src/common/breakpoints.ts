/**
 * The studio's breakpoints, as the user set them in the editor's gutter: per file (named
 * "root/path"), a line each, enabled or not, with an optional condition, hit count or log message.
 * Pure: the host keeps them across restarts of the studio (`toRecord`, read back with
 * `fromRecord`; the API's DebuggerSettings checks them on the way) and the renderer sends the
 * enabled ones to the debug adapter as DAP's SourceBreakpoints. Whether the machine took one (verified) is the
 * adapter's answer, kept beside these, not in them.
 */
import { z } from './zod.js';

/** Longest condition or log message kept; the adapter refuses longer ones anyway. */
const MAX_TEXT = 1000;

export const UserBreakpoint = z.object({
  line: z.number().int().positive(),
  enabled: z.boolean(),
  condition: z.string().min(1).max(MAX_TEXT).optional(),
  hitCondition: z.string().min(1).max(MAX_TEXT).optional(),
  logMessage: z.string().min(1).max(MAX_TEXT).optional(),
});
export type UserBreakpoint = z.infer<typeof UserBreakpoint>;

/** What DAP's setBreakpoints takes for one line. */
export interface DapSourceBreakpoint {
  line: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

/** The optional parts of a breakpoint: empty text clears one. */
export interface BreakpointOptions {
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export class BreakpointList {
  private readonly byFile = new Map<string, UserBreakpoint[]>();

  static fromRecord(record: Readonly<Record<string, readonly UserBreakpoint[]>>): BreakpointList {
    const list = new BreakpointList();
    for (const [file, entries] of Object.entries(record))
      for (const bp of entries) if (list.at(file, bp.line) === undefined) list.put(file, { ...bp });
    return list;
  }

  toRecord(): Record<string, UserBreakpoint[]> {
    return Object.fromEntries(this.byFile);
  }

  files(): string[] {
    return [...this.byFile.keys()];
  }

  /** The file's breakpoints, by line. */
  of(file: string): readonly UserBreakpoint[] {
    return this.byFile.get(file) ?? [];
  }

  at(file: string, line: number): UserBreakpoint | undefined {
    return this.of(file).find((b) => b.line === line);
  }

  /** A click in the gutter: a breakpoint where there is none, none where there is one. */
  toggle(file: string, line: number): void {
    if (this.at(file, line)) this.remove(file, line);
    else this.put(file, { line, enabled: true });
  }

  /** Sets (or adds) the line's condition, hit count or log message, keeping what is not named. */
  configure(file: string, line: number, options: BreakpointOptions): void {
    const bp: UserBreakpoint = { ...(this.at(file, line) ?? { line, enabled: true }) };
    for (const key of ['condition', 'hitCondition', 'logMessage'] as const) {
      if (!(key in options)) continue;
      const text = options[key]?.trim() ?? '';
      if (text === '') delete bp[key];
      else bp[key] = text.slice(0, MAX_TEXT);
    }
    this.put(file, bp);
  }

  setEnabled(file: string, line: number, enabled: boolean): void {
    const bp = this.at(file, line);
    if (bp) this.put(file, { ...bp, enabled });
  }

  remove(file: string, line: number): void {
    const rest = this.of(file).filter((b) => b.line !== line);
    if (rest.length > 0) this.byFile.set(file, rest);
    else this.byFile.delete(file);
  }

  /** What the adapter is sent for the file: its enabled breakpoints. */
  toDap(file: string): DapSourceBreakpoint[] {
    return this.of(file)
      .filter((b) => b.enabled)
      .map((b) => ({
        line: b.line,
        ...(b.condition ? { condition: b.condition } : {}),
        ...(b.hitCondition ? { hitCondition: b.hitCondition } : {}),
        ...(b.logMessage ? { logMessage: b.logMessage } : {}),
      }));
  }

  private put(file: string, bp: UserBreakpoint): void {
    const rest = this.of(file).filter((b) => b.line !== bp.line);
    this.byFile.set(
      file,
      [...rest, bp].sort((a, b) => a.line - b.line),
    );
  }
}

/** A file key ("root/path") as the adapter names it: a path under the host's root folders. */
export function pathOfFile(file: string, roots: Readonly<Record<string, string>>): string | undefined {
  const slash = file.indexOf('/');
  const base = slash > 0 ? roots[file.slice(0, slash)] : undefined;
  return base === undefined ? undefined : `${base.replace(/\/+$/, '')}/${file.slice(slash + 1)}`;
}

/** The file key of a path the adapter names, when it lies under one of the roots. */
export function fileOfPath(path: string, roots: Readonly<Record<string, string>>): string | undefined {
  for (const [root, base] of Object.entries(roots)) {
    const prefix = `${base.replace(/\/+$/, '')}/`;
    if (path.startsWith(prefix) && path.length > prefix.length) return `${root}/${path.slice(prefix.length)}`;
  }
  return undefined;
}
