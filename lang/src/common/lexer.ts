/**
 * The lexer: source text to tokens. It never fails: anything it cannot read becomes a
 * diagnostic and is skipped (a run of bad characters gives one diagnostic), an unterminated
 * string ends at the end of its line, and it is linear in the input, so a 10 MB line costs
 * one pass.
 */
import type { DiagnosticSink } from './diagnostics.js';

export type TokenType = 'ident' | 'keyword' | 'int' | 'string' | 'punct' | 'eof';

export interface Token {
  readonly type: TokenType;
  /** Identifier or keyword text, punctuator, or the decoded string literal. */
  readonly text: string;
  /** Value of an integer literal (a character literal is its byte value). */
  readonly value: number;
  readonly start: number;
  readonly end: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'package',
  'import',
  'class',
  'extends',
  'var',
  'void',
  'int',
  'boolean',
  'any',
  'static',
  'native',
  'new',
  'return',
  'if',
  'else',
  'while',
  'for',
  'break',
  'continue',
  'try',
  'catch',
  'throw',
  'true',
  'false',
  'null',
  'this',
  'super',
  'instanceof',
]);

/** Longest first, so the scanner can take the first one that matches. */
const PUNCTUATORS = [
  '<<=',
  '>>=',
  '&&',
  '||',
  '==',
  '!=',
  '<=',
  '>=',
  '<<',
  '>>',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '++',
  '--',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ';',
  ',',
  '.',
  ':',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '!',
  '~',
];

const PUNCTUATORS_BY_FIRST = new Map<number, string[]>();
for (const p of PUNCTUATORS) {
  const list = PUNCTUATORS_BY_FIRST.get(p.charCodeAt(0)) ?? [];
  list.push(p);
  PUNCTUATORS_BY_FIRST.set(p.charCodeAt(0), list);
}

/** Literals beyond this are errors anyway (small integers are 31 bits); stop accumulating digits. */
const INT_LITERAL_CAP = 2 ** 40;

const isIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

function reportBadRun(sink: DiagnosticSink, start: number, end: number): number {
  sink.error(start, end, 'PH101', 'unexpected characters');
  return -1;
}

export function tokenize(text: string, sink: DiagnosticSink): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  // A run of characters no token starts with: reported once, when the next token (or the end) begins.
  let badStart = -1;
  // A byte order mark is not text (readSource drops it; editors may pass it through).
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (badStart >= 0) badStart = reportBadRun(sink, badStart, i);
      i++;
      continue;
    }
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      if (badStart >= 0) badStart = reportBadRun(sink, badStart, i);
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      if (badStart >= 0) badStart = reportBadRun(sink, badStart, i);
      const close = text.indexOf('*/', i + 2);
      if (close < 0) {
        sink.error(i, i + 2, 'PH102', 'unterminated comment');
        i = n;
      } else i = close + 2;
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      if (badStart >= 0) badStart = reportBadRun(sink, badStart, i);
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      tokens.push({ type: KEYWORDS.has(word) ? 'keyword' : 'ident', text: word, value: 0, start, end: i });
      continue;
    }
    if (isDigit(c)) {
      if (badStart >= 0) badStart = reportBadRun(sink, badStart, i);
      let value = 0;
      let hex = false;
      if (c === 48 && (text.charCodeAt(i + 1) | 32) === 120 /* x */) {
        hex = true;
        i += 2;
        while (i < n) {
          const d = text.charCodeAt(i);
          const digit = isDigit(d) ? d - 48 : (d | 32) >= 97 && (d | 32) <= 102 ? (d | 32) - 87 : -1;
          if (digit < 0) break;
          if (value < INT_LITERAL_CAP) value = value * 16 + digit;
          i++;
        }
      } else {
        while (i < n && isDigit(text.charCodeAt(i))) {
          if (value < INT_LITERAL_CAP) value = value * 10 + (text.charCodeAt(i) - 48);
          i++;
        }
      }
      if (hex && i === start + 2) sink.error(start, i, 'PH103', 'hexadecimal literal without digits');
      if (i < n && isIdentPart(text.charCodeAt(i))) {
        while (i < n && isIdentPart(text.charCodeAt(i))) i++;
        sink.error(start, i, 'PH103', 'malformed number');
      }
      tokens.push({ type: 'int', text: text.slice(start, i), value, start, end: i });
      continue;
    }
    if (c === 34 /* " */ || c === 39 /* ' */) {
      if (badStart >= 0) badStart = reportBadRun(sink, badStart, i);
      const quote = c;
      i++;
      let value = '';
      let closed = false;
      let runStart = i;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === quote) {
          value += text.slice(runStart, i);
          i++;
          closed = true;
          break;
        }
        if (d === 10 || d === 13) break;
        if (d === 92 /* \ */) {
          value += text.slice(runStart, i);
          const e = text[i + 1] ?? '';
          // Strings are UTF-8 and a JS string holds characters, so \xHH is limited to ASCII.
          if (e === 'x' && /^[0-7][0-9a-fA-F]$/.test(text.slice(i + 2, i + 4))) {
            value += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16));
            i += 4;
          } else if (ESCAPES[e] !== undefined) {
            value += ESCAPES[e];
            i += 2;
          } else {
            sink.error(i, i + 2, 'PH104', `unknown escape \\${e}`);
            i += e ? 2 : 1;
          }
          runStart = i;
          continue;
        }
        i++;
      }
      if (!closed) {
        value += text.slice(runStart, i);
        sink.error(
          start,
          i,
          'PH105',
          quote === 34 ? 'unterminated string' : 'unterminated character literal',
        );
      }
      if (quote === 34) tokens.push({ type: 'string', text: value, value: 0, start, end: i });
      else {
        if ((value.length !== 1 || value.charCodeAt(0) > 127) && closed)
          sink.error(start, i, 'PH106', 'a character literal holds exactly one ASCII character');
        tokens.push({
          type: 'int',
          text: text.slice(start, i),
          value: value.charCodeAt(0) & 255 || 0,
          start,
          end: i,
        });
      }
      continue;
    }
    let punct: string | undefined;
    for (const p of PUNCTUATORS_BY_FIRST.get(c) ?? []) {
      if (text.startsWith(p, i)) {
        punct = p;
        break;
      }
    }
    if (punct !== undefined) {
      if (badStart >= 0) badStart = reportBadRun(sink, badStart, i);
      i += punct.length;
      tokens.push({ type: 'punct', text: punct, value: 0, start, end: i });
      continue;
    }
    if (badStart < 0) badStart = i;
    i++;
  }
  if (badStart >= 0) badStart = reportBadRun(sink, badStart, i);
  tokens.push({ type: 'eof', text: '', value: 0, start: n, end: n });
  return tokens;
}
