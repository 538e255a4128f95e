/**
 * What the debugger's `evaluate` accepts in a frame: field paths (`this.count`, `node.next.value`,
 * `items[3]`, `items.length`), integer, boolean, string and null literals, an object by its address
 * as the variables show it (`@0x1f40`), and integer arithmetic and
 * comparisons on them (`count * 2 + 1`, `i < n`). No calls and no assignments: evaluating never
 * changes the machine. This file parses; node/dap/session.ts evaluates against a frame.
 */

export type DapExpr =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'null' }
  | { readonly kind: 'object'; readonly ref: number }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'field'; readonly target: DapExpr; readonly name: string }
  | { readonly kind: 'index'; readonly target: DapExpr; readonly index: DapExpr }
  | { readonly kind: 'neg'; readonly operand: DapExpr }
  | { readonly kind: 'not'; readonly operand: DapExpr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: DapExpr; readonly right: DapExpr };

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

/** Longest expression accepted: a watch, not a program. */
export const MAX_EXPRESSION_LENGTH = 1000;
/** Deepest nesting accepted, so no input can exhaust the stack. */
const MAX_DEPTH = 64;

export class DapExpressionError extends Error {}

type Token = { kind: 'int' | 'ident' | 'string' | 'object' | 'op' | 'end'; text: string; at: number };

const OPS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '!',
  '.',
  '[',
  ']',
  '(',
  ')',
];

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9]/.test(text[i]!)) i++;
      out.push({ kind: 'int', text: text.slice(at, i), at });
    } else if (c === '@') {
      const m = /^@0x([0-9a-fA-F]{1,8})\b/.exec(text.slice(i));
      if (!m) throw new DapExpressionError(`expected an address such as @0x1f40 at column ${at + 1}`);
      i += m[0].length;
      out.push({ kind: 'object', text: m[1]!, at });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
      out.push({ kind: 'ident', text: text.slice(at, i), at });
    } else if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new DapExpressionError(`unterminated string at column ${at + 1}`);
        const d = text[i++]!;
        if (d === '"') break;
        if (d === '\\') {
          const e = text[i++];
          const escaped = e === 'n' ? '\n' : e === 't' ? '\t' : e === '"' || e === '\\' ? e : undefined;
          if (escaped === undefined) throw new DapExpressionError(`unknown escape at column ${i}`);
          value += escaped;
        } else value += d;
      }
      out.push({ kind: 'string', text: value, at });
    } else {
      const op = OPS.find((o) => text.startsWith(o, i));
      if (op === undefined) throw new DapExpressionError(`unexpected '${c}' at column ${at + 1}`);
      i += op.length;
      out.push({ kind: 'op', text: op, at });
    }
  }
  out.push({ kind: 'end', text: '', at: text.length });
  return out;
}

const LEVELS: readonly (readonly BinaryOp[])[] = [
  ['||'],
  ['&&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['+', '-'],
  ['*', '/', '%'],
];

/** Parses an expression; throws DapExpressionError saying what is wrong and where. */
export function parseDapExpression(text: string): DapExpr {
  if (text.length > MAX_EXPRESSION_LENGTH)
    throw new DapExpressionError(
      `an expression of ${text.length} characters; at most ${MAX_EXPRESSION_LENGTH}`,
    );
  const tokens = tokenize(text);
  let pos = 0;
  let depth = 0;
  const peek = (): Token => tokens[pos]!;
  const isOp = (op: string): boolean => peek().kind === 'op' && peek().text === op;
  const expect = (op: string): void => {
    if (!isOp(op)) throw new DapExpressionError(`expected '${op}' at column ${peek().at + 1}`);
    pos++;
  };
  const nested = <T>(f: () => T): T => {
    if (++depth > MAX_DEPTH) throw new DapExpressionError(`nested deeper than ${MAX_DEPTH}`);
    try {
      return f();
    } finally {
      depth--;
    }
  };
  const binary = (level: number): DapExpr =>
    nested(() => {
      if (level === LEVELS.length) return unary();
      let left = binary(level + 1);
      for (;;) {
        const t = peek();
        const op = LEVELS[level]!.find((o) => t.kind === 'op' && t.text === o);
        if (op === undefined) return left;
        pos++;
        left = { kind: 'binary', op, left, right: binary(level + 1) };
      }
    });
  const unary = (): DapExpr =>
    nested(() => {
      if (isOp('-')) {
        pos++;
        return { kind: 'neg', operand: unary() };
      }
      if (isOp('!')) {
        pos++;
        return { kind: 'not', operand: unary() };
      }
      return postfix();
    });
  const postfix = (): DapExpr => {
    let e = primary();
    for (;;) {
      if (isOp('.')) {
        pos++;
        const t = peek();
        if (t.kind !== 'ident') throw new DapExpressionError(`expected a field name at column ${t.at + 1}`);
        pos++;
        e = { kind: 'field', target: e, name: t.text };
      } else if (isOp('[')) {
        pos++;
        const index = binary(0);
        expect(']');
        e = { kind: 'index', target: e, index };
      } else return e;
      if (++depth > MAX_DEPTH) throw new DapExpressionError(`nested deeper than ${MAX_DEPTH}`);
    }
  };
  const primary = (): DapExpr => {
    const t = peek();
    pos++;
    switch (t.kind) {
      case 'int': {
        const value = Number(t.text);
        if (!Number.isSafeInteger(value) || value > 2 ** 31)
          throw new DapExpressionError(`${t.text} is too large for an int`);
        return { kind: 'int', value };
      }
      case 'string':
        return { kind: 'string', value: t.text };
      case 'object':
        return { kind: 'object', ref: Number.parseInt(t.text, 16) };
      case 'ident':
        if (t.text === 'null') return { kind: 'null' };
        if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true' };
        return { kind: 'name', name: t.text };
      case 'op':
        if (t.text === '(') {
          const e = binary(0);
          expect(')');
          return e;
        }
        throw new DapExpressionError(`unexpected '${t.text}' at column ${t.at + 1}`);
      case 'end':
        throw new DapExpressionError(t.at === 0 ? 'an empty expression' : 'the expression ends too early');
    }
  };
  const e = binary(0);
  if (peek().kind !== 'end')
    throw new DapExpressionError(`unexpected '${peek().text}' at column ${peek().at + 1}`);
  return e;
}
