/**
 * Compiler diagnostics as data: gcc's and phc's `file:line:col: severity: message` lines parsed
 * into records the editor can place. Lines that are not diagnostics give undefined.
 */

export const DIAGNOSTIC_SEVERITIES = ['error', 'warning', 'note'] as const;
export type DiagnosticSeverity = (typeof DIAGNOSTIC_SEVERITIES)[number];

export interface Diagnostic {
  tool: 'gcc' | 'phc';
  file: string;
  line: number;
  col: number;
  severity: DiagnosticSeverity;
  message: string;
}

// gcc: `core/main.c:12:5: error: 'x' undeclared`; "fatal error" counts as an error. phc uses the
// same shape (the GNU convention), so one pattern reads both; the column is optional in either.
const GNU_DIAGNOSTIC = /^(.+?):(\d+):(?:(\d+):)?\s*(fatal error|error|warning|note):\s*(.*)$/;

export function parseDiagnostic(tool: Diagnostic['tool'], line: string): Diagnostic | undefined {
  const m = GNU_DIAGNOSTIC.exec(line.trimEnd());
  if (!m) return undefined;
  const lineNumber = Number(m[2]);
  if (!Number.isSafeInteger(lineNumber) || lineNumber < 1) return undefined;
  const col = m[3] === undefined ? 1 : Number(m[3]);
  if (!Number.isSafeInteger(col) || col < 1) return undefined;
  const severity = m[4] === 'fatal error' ? 'error' : (m[4] as DiagnosticSeverity);
  return { tool, file: m[1]!, line: lineNumber, col, severity, message: m[5]! };
}
