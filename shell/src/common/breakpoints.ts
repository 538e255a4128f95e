/**
 * The studio's breakpoints, as the user set them in the editor's gutter: per file (named
 * "root/path"), a line each, enabled or not, with an optional condition, hit count or log message.
 * Pure: the renderer keeps them across reloads (saved as `serialize` writes them, read back with
 * `BreakpointList.parse`, which drops what it cannot use and says so) and sends the enabled ones to
 * the debug adapter as DAP's SourceBreakpoints. Whether the machine took one (verified) is the
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

const Saved = z.record(z.string().min(1).max(1100), z.array(z.unknown()));

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

  /** Reads what `serialize` wrote; what cannot be read is dropped and `dropped` says how much. */
  static parse(text: string | null): { list: BreakpointList; dropped: number } {
    const list = new BreakpointList();
    if (text === null || text === '') return { list, dropped: 0 };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { list, dropped: 1 };
    }
    const saved = Saved.safeParse(json);
    if (!saved.success) return { list, dropped: 1 };
    let dropped = 0;
    for (const [file, entries] of Object.entries(saved.data))
      for (const entry of entries) {
        const bp = UserBreakpoint.safeParse(entry);
        if (bp.success && list.at(file, bp.data.line) === undefined) list.put(file, bp.data);
        else dropped++;
      }
    return { list, dropped };
  }

  serialize(): string {
    return JSON.stringify(Object.fromEntries(this.byFile));
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
