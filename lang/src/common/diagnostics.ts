/**
 * Diagnostics: what the compiler reports about a source (errors and warnings with a range and a
 * stable code). Every stage of the compiler reports through a DiagnosticSink instead of throwing,
 * so bad input of any kind ends as a list of these.
 */
import { LineMap } from './source-map.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly file: string;
  /** 1-based start line and column (UTF-16 code units, as editors count). */
  readonly line: number;
  readonly column: number;
  /** 1-based end line and column, exclusive. */
  readonly endLine: number;
  readonly endColumn: number;
  readonly message: string;
  /** Stable code, e.g. PH201; docs/language.md lists them. */
  readonly code: string;
  readonly severity: Severity;
}

/** Beyond this many diagnostics in one file, more would only bury the first ones (and cost time on garbage input). */
export const MAX_DIAGNOSTICS_PER_FILE = 100;

/** Collects the diagnostics of one source file, mapping offsets to positions lazily. */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];
  private lineMap: LineMap | undefined;
  private truncated = false;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  get errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }

  get lines(): LineMap {
    this.lineMap ??= new LineMap(this.text);
    return this.lineMap;
  }

  error(start: number, end: number, code: string, message: string): void {
    this.report(start, end, code, message, 'error');
  }

  warning(start: number, end: number, code: string, message: string): void {
    this.report(start, end, code, message, 'warning');
  }

  private report(start: number, end: number, code: string, message: string, severity: Severity): void {
    if (this.diagnostics.length >= MAX_DIAGNOSTICS_PER_FILE) {
      if (!this.truncated) {
        this.truncated = true;
        const at = this.lines.positionAt(start);
        this.diagnostics.push({
          file: this.file,
          line: at.line,
          column: at.column,
          endLine: at.line,
          endColumn: at.column,
          message: `too many diagnostics; the rest of ${this.file} is not reported`,
          code: 'PH001',
          severity: 'error',
        });
      }
      return;
    }
    const from = this.lines.positionAt(start);
    const to = this.lines.positionAt(Math.max(start, end));
    this.diagnostics.push({
      file: this.file,
      line: from.line,
      column: from.column,
      endLine: to.line,
      endColumn: to.column,
      message,
      code,
      severity,
    });
  }
}

/** `file:line:col: error: message [code]`, the form compilers print and editors' problem matchers read. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]`;
}
