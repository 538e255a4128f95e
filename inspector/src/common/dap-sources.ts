/**
 * What the debugger knows of a machine's source: the compiled classes it was built from (with
 * their statement tables and locals, lang's CompiledDebugInfo), looked up by class and method
 * name, and checked against the code the machine actually runs — a method whose bytes differ (the
 * file was edited since, or another version was installed) gets no source position from them, so
 * the editor never shows a line that is not what runs.
 *
 * Not here: reading the machine (node/dap/live-reader.ts).
 */
import type { CompiledClass, CompiledLocal, CompiledMethod } from '@phantom/lang/common/compiled.js';

export interface SourcePosition {
  readonly line: number;
  /** 1-based; 0 when only the line is known (the machine's own line table). */
  readonly column: number;
}

/** Where a pc is in a line table of pc, line pairs: the last entry at or before it. */
export function lineAt(lines: readonly number[], pc: number): number | undefined {
  let line: number | undefined;
  for (let i = 0; i + 1 < lines.length && lines[i]! <= pc; i += 2) line = lines[i + 1];
  return line;
}

/** The statement a pc is in: the last statement start at or before it. */
export function statementAt(m: Pick<CompiledMethod, 'debug'>, pc: number): SourcePosition | undefined {
  const s = m.debug?.statements ?? [];
  let found: SourcePosition | undefined;
  for (let i = 0; i + 2 < s.length && s[i]! <= pc; i += 3) found = { line: s[i + 1]!, column: s[i + 2]! };
  return found;
}

/** The locals that hold a value at `pc`, by slot. */
export function localsAt(m: Pick<CompiledMethod, 'debug'>, pc: number): Map<number, CompiledLocal> {
  const out = new Map<number, CompiledLocal>();
  for (const l of m.debug?.locals ?? []) if (l.start <= pc && pc < l.end) out.set(l.slot, l);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class SourceIndex {
  private readonly classes = new Map<string, CompiledClass>();

  constructor(classes: readonly CompiledClass[]) {
    for (const c of classes) this.classes.set(c.name, c);
  }

  get size(): number {
    return this.classes.size;
  }

  classNamed(name: string): CompiledClass | undefined {
    return this.classes.get(name);
  }

  /**
   * The compiled method the machine's method (class, name, code) is, or why there is none: no
   * such class or method in the sources, or code that differs from what they compile to.
   */
  method(
    className: string,
    methodName: string,
    code: Uint8Array,
  ): { method: CompiledMethod; file: string } | { problem: string } {
    const cls = this.classes.get(className);
    if (cls === undefined) return { problem: `no source for ${className}` };
    const m = cls.methods.find((x) => x.name === methodName);
    if (m === undefined) return { problem: 'no source: the machine made it' };
    if (!sameBytes(m.code, code))
      return {
        problem: `the machine runs other code for ${className}.${methodName} than ${cls.file} compiles to`,
      };
    return { method: m, file: cls.file };
  }

  /** The source files of classes the machine has, each once, in the order given. */
  filesOf(classNames: readonly string[]): string[] {
    const files = new Set<string>();
    for (const n of classNames) {
      const c = this.classes.get(n);
      if (c !== undefined && c.file !== '' && c.internalId === 0) files.add(c.file);
    }
    return [...files];
  }

  /** The statements of `file` that start on `line`, for breakpoints: their methods and pcs. */
  statementsOn(
    file: string,
    line: number,
  ): { className: string; method: string; pc: number; column: number }[] {
    const out = [];
    for (const c of this.classes.values()) {
      if (c.file !== file) continue;
      for (const m of c.methods) {
        const s = m.debug?.statements ?? [];
        for (let i = 0; i + 2 < s.length; i += 3)
          if (s[i + 1] === line)
            out.push({ className: c.name, method: m.name, pc: s[i]!, column: s[i + 2]! });
      }
    }
    return out;
  }
}
