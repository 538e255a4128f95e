/**
 * The parser: tokens to a SourceFile tree, recovering from errors. A bad statement or member is
 * reported and skipped up to a point where parsing can resume (`;`, `}` or the next keyword
 * that starts one), so one typo gives one diagnostic and the rest of the file is still checked.
 * Nesting is bounded: past MAX_NESTING recursive constructs, or expressions deeper than
 * MAX_EXPRESSION_DEPTH, the file gets one diagnostic and the rest is not parsed, so neither
 * this parser nor the recursive passes after it can exhaust the stack.
 */
import type {
  AssignOp,
  BinaryOp,
  Block,
  CatchClause,
  ClassDecl,
  Expr,
  FieldDecl,
  ImportDecl,
  MethodDecl,
  ParamDecl,
  SourceFile,
  Span,
  Stmt,
  TypeNode,
} from './ast.js';
import type { DiagnosticSink } from './diagnostics.js';
import { type Token, tokenize } from './lexer.js';

/** Files whose names start with this are the prelude's, which may name a class with a keyword (`.internal.class`). */
export const PRELUDE_FILE_PREFIX = '<prelude>';

/** Nested statements, parentheses and unary operators the parser follows before giving up. */
export const MAX_NESTING = 200;
/** Depth of an expression tree (long operator chains included) the later passes may recurse through. */
export const MAX_EXPRESSION_DEPTH = 1000;

const ASSIGN_OPS: ReadonlySet<string> = new Set([
  '=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '<<=',
  '>>=',
]);
const TYPE_KEYWORDS: ReadonlySet<string> = new Set(['int', 'boolean', 'any', 'void']);
/** Tokens after `(Type)` that make it a cast rather than a parenthesised expression. */
const CAST_FOLLOWERS: ReadonlySet<string> = new Set([
  'this',
  'null',
  'true',
  'false',
  'new',
  'super',
  '(',
  '!',
  '~',
]);
const STATEMENT_KEYWORDS: ReadonlySet<string> = new Set([
  'var',
  'if',
  'while',
  'for',
  'return',
  'break',
  'continue',
  'throw',
  'try',
]);

/** Binary operators by precedence level, loosest first. */
const BINARY_LEVELS: readonly (readonly BinaryOp[])[] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];
const RELATIONAL_LEVEL = 6;

class Aborted extends Error {}

export function parse(text: string, sink: DiagnosticSink): SourceFile {
  return new Parser(tokenize(text, sink), sink).parseFile();
}

class Parser {
  private pos = 0;
  private nesting = 0;
  private readonly depths = new Map<Expr, number>();

  constructor(
    private readonly tokens: Token[],
    private readonly sink: DiagnosticSink,
  ) {}

  private get tok(): Token {
    return this.tokens[this.pos]!;
  }

  private atEnd(): boolean {
    return this.tokens[this.pos]!.type === 'eof';
  }

  private peek(ahead: number): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  private is(text: string): boolean {
    const t = this.tok;
    return (t.type === 'punct' || t.type === 'keyword') && t.text === text;
  }

  private next(): Token {
    const t = this.tok;
    if (t.type !== 'eof') this.pos++;
    return t;
  }

  private accept(text: string): boolean {
    if (this.is(text)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expect(text: string): Token | null {
    if (this.is(text)) return this.next();
    this.errorAtToken(`expected '${text}' but found ${describe(this.tok)}`);
    return null;
  }

  private errorAtToken(message: string, code = 'PH201'): void {
    const t = this.tok;
    this.sink.error(t.start, t.type === 'eof' ? t.start : t.end, code, message);
  }

  private ident(what: string): Token | null {
    if (this.tok.type === 'ident') return this.next();
    this.errorAtToken(`expected ${what} but found ${describe(this.tok)}`);
    return null;
  }

  private enter(): void {
    if (++this.nesting > MAX_NESTING) this.abort(`nesting deeper than ${MAX_NESTING} levels`);
  }

  private abort(message: string): never {
    this.errorAtToken(`${message}; the rest of the file is not parsed`, 'PH202');
    throw new Aborted();
  }

  private span(start: number): Span {
    return { start, end: this.tokens[Math.max(0, this.pos - 1)]!.end };
  }

  parseFile(): SourceFile {
    let packageName = '';
    const imports: ImportDecl[] = [];
    const classes: ClassDecl[] = [];
    try {
      if (this.is('package')) {
        this.next();
        packageName = this.qualifiedName(true)?.name ?? '';
        this.expect(';');
      }
      while (this.is('import')) {
        const start = this.next().start;
        const q = this.qualifiedName(false);
        this.expect(';');
        if (q !== null) {
          const simpleName = q.name.slice(q.name.lastIndexOf('.') + 1);
          imports.push({ path: q.name, simpleName, ...this.span(start) });
        }
      }
      while (!this.atEnd()) {
        if (this.is('class')) {
          const cls = this.classDecl();
          if (cls !== null) classes.push(cls);
        } else {
          this.errorAtToken(`expected a class declaration but found ${describe(this.tok)}`);
          this.next();
          while (!this.atEnd() && !this.is('class')) this.next();
        }
      }
    } catch (e) {
      if (!(e instanceof Aborted)) throw e;
    }
    return { file: this.sink.file, packageName, imports, classes };
  }

  /** `.a.b.c` (leading dot required unless `relativeAllowed`) → the dotted name with its leading dot. */
  private qualifiedName(relativeAllowed: boolean): { name: string; span: Span } | null {
    const start = this.tok.start;
    const leadingDot = this.accept('.');
    if (!leadingDot && !relativeAllowed) {
      this.errorAtToken(`expected a full name such as .internal.io.tty but found ${describe(this.tok)}`);
      return null;
    }
    const first = this.ident('a name');
    if (first === null) return null;
    let name = `.${first.text}`;
    // After a dot a keyword is a name too, so `.internal.class` can be written.
    while (this.is('.') && (this.peek(1).type === 'ident' || this.peek(1).type === 'keyword')) {
      this.next();
      name += `.${this.next().text}`;
    }
    return { name, span: this.span(start) };
  }

  private classDecl(): ClassDecl | null {
    const start = this.next().start;
    const nameTok =
      this.tok.type === 'keyword' && this.sink.file.startsWith(PRELUDE_FILE_PREFIX)
        ? this.next()
        : this.ident('a class name');
    if (nameTok === null) {
      this.skipBalancedBlock();
      return null;
    }
    let superType: TypeNode | null = null;
    if (this.accept('extends')) superType = this.type();
    const fields: FieldDecl[] = [];
    const methods: MethodDecl[] = [];
    if (this.expect('{') === null) {
      this.skipBalancedBlock();
      return null;
    }
    while (!this.is('}') && !this.atEnd()) {
      if (this.accept(';')) continue;
      const before = this.pos;
      this.member(nameTok.text, fields, methods);
      if (this.pos === before) this.next();
    }
    this.expect('}');
    this.accept(';');
    return {
      name: nameTok.text,
      nameSpan: { start: nameTok.start, end: nameTok.end },
      superType,
      fields,
      methods,
      ...this.span(start),
    };
  }

  /** Skips to the end of the next `{ … }` block (or the end of the file) after an unusable header. */
  private skipBalancedBlock(): void {
    while (!this.atEnd() && !this.is('{') && !this.is('class')) this.next();
    if (!this.is('{')) return;
    let depth = 0;
    do {
      if (this.is('{')) depth++;
      else if (this.is('}')) depth--;
      this.next();
    } while (depth > 0 && !this.atEnd());
    this.accept(';');
  }

  /** Skips a member that did not parse: to just after its `;` or its balanced `{ … }`, or to the class's `}`. */
  private skipMember(): void {
    let depth = 0;
    while (!this.atEnd()) {
      if (this.is('{')) depth++;
      else if (this.is('}')) {
        if (depth === 0) return;
        depth--;
        if (depth === 0) {
          this.next();
          return;
        }
      } else if (this.is(';') && depth === 0) {
        this.next();
        return;
      }
      this.next();
    }
  }

  private member(className: string, fields: FieldDecl[], methods: MethodDecl[]): void {
    const start = this.tok.start;
    if (this.is('var')) {
      this.next();
      const name = this.ident('a field name');
      if (name === null) {
        this.skipMember();
        return;
      }
      let type: TypeNode | null = null;
      if (this.accept(':')) type = this.type();
      let init: Expr | null = null;
      if (this.accept('=')) init = this.expression();
      if (type === null && init === null)
        this.sink.error(
          name.start,
          name.end,
          'PH203',
          `field '${name.text}' needs a type (var ${name.text} : int;)`,
        );
      if (this.expect(';') === null && !this.atMemberStart()) this.skipMember();
      fields.push({ name: name.text, nameSpan: tokenSpan(name), type, init, ...this.span(start) });
      return;
    }
    let isStatic = false;
    let isNative = false;
    for (;;) {
      if (this.accept('static')) isStatic = true;
      else if (this.accept('native')) isNative = true;
      else break;
    }
    let returnType: TypeNode;
    let nameTok: Token;
    let isConstructor = false;
    if (this.tok.type === 'ident' && this.peek(1).text === '(' && this.peek(1).type === 'punct') {
      nameTok = this.next();
      isConstructor = true;
      returnType = { kind: 'type', name: 'void', dims: 0, start: nameTok.start, end: nameTok.start };
      if (nameTok.text !== className)
        this.sink.error(
          nameTok.start,
          nameTok.end,
          'PH204',
          `method '${nameTok.text}' needs a return type (a constructor is named like its class, ${className})`,
        );
      if (isStatic) this.sink.error(nameTok.start, nameTok.end, 'PH204', 'a constructor cannot be static');
    } else {
      if (!TYPE_KEYWORDS.has(this.tok.text) && this.tok.type !== 'ident' && !this.is('.')) {
        this.errorAtToken(`expected a field, method or constructor but found ${describe(this.tok)}`);
        this.skipMember();
        return;
      }
      returnType = this.type();
      const name = this.ident('a method name');
      if (name === null) {
        this.skipMember();
        return;
      }
      nameTok = name;
    }
    if (this.expect('(') === null) {
      this.skipMember();
      return;
    }
    const params = this.params();
    let body: Block | null = null;
    if (isNative || this.is(';')) {
      if (!isNative) this.errorAtToken(`method '${nameTok.text}' needs a body`, 'PH205');
      else if (this.is('{')) this.errorAtToken(`native method '${nameTok.text}' cannot have a body`, 'PH205');
      if (this.expect(';') === null) this.skipMember();
    } else if (this.is('{')) body = this.block();
    else {
      this.errorAtToken(`expected '{' but found ${describe(this.tok)}`);
      this.skipMember();
      return;
    }
    methods.push({
      name: isConstructor ? '<init>' : nameTok.text,
      nameSpan: tokenSpan(nameTok),
      isStatic,
      isNative,
      isConstructor,
      returnType,
      params,
      body,
      ...this.span(start),
    });
  }

  /** Whether the current token can begin a member, so a missing `;` before it need not skip anything. */
  private atMemberStart(): boolean {
    const t = this.tok;
    if (t.type === 'keyword')
      return ['var', 'static', 'native', 'void', 'int', 'boolean', 'any'].includes(t.text);
    if (t.type === 'punct') return t.text === '}';
    const after = this.peek(1);
    return t.type === 'ident' && (after.type === 'ident' || after.text === '(');
  }

  private params(): ParamDecl[] {
    const params: ParamDecl[] = [];
    if (this.accept(')')) return params;
    for (;;) {
      const start = this.tok.start;
      this.accept('var');
      const name = this.ident('a parameter name');
      if (name === null) break;
      let type: TypeNode;
      if (this.expect(':') !== null) type = this.type();
      else type = { kind: 'type', name: 'any', dims: 0, start: name.end, end: name.end };
      params.push({ name: name.text, nameSpan: tokenSpan(name), type, ...this.span(start) });
      if (!this.accept(',')) break;
    }
    if (this.expect(')') === null) {
      while (!this.is(')') && !this.is('{') && !this.is(';') && !this.is('}') && !this.atEnd()) this.next();
      this.accept(')');
    }
    return params;
  }

  private type(): TypeNode {
    const start = this.tok.start;
    let name: string;
    if (this.tok.type === 'keyword' && TYPE_KEYWORDS.has(this.tok.text)) name = this.next().text;
    else if (this.tok.type === 'ident') name = this.next().text;
    else if (this.is('.')) name = this.qualifiedName(false)?.name ?? 'any';
    else {
      this.errorAtToken(`expected a type but found ${describe(this.tok)}`);
      return { kind: 'type', name: 'any', dims: 0, start, end: start };
    }
    let dims = 0;
    while (this.is('[') && this.peek(1).text === ']') {
      this.next();
      this.next();
      dims++;
    }
    return { kind: 'type', name, dims, ...this.span(start) };
  }

  private block(): Block {
    const start = this.tok.start;
    this.expect('{');
    this.enter();
    const statements: Stmt[] = [];
    while (!this.is('}') && !this.atEnd()) {
      const before = this.pos;
      const s = this.statement();
      if (s !== null) statements.push(s);
      if (this.pos === before) this.next();
    }
    this.nesting--;
    this.expect('}');
    return { kind: 'block', statements, ...this.span(start) };
  }

  /** After a bad statement: skip to just past the next `;`, or to a `}` or a keyword that starts a statement. */
  private syncStatement(): void {
    while (!this.atEnd()) {
      if (this.is(';')) {
        this.next();
        return;
      }
      if (
        this.is('}') ||
        this.is('{') ||
        (this.tok.type === 'keyword' && STATEMENT_KEYWORDS.has(this.tok.text))
      )
        return;
      this.next();
    }
  }

  private statement(): Stmt | null {
    const start = this.tok.start;
    const t = this.tok;
    if (t.type === 'punct') {
      if (t.text === '{') return this.block();
      if (t.text === ';') {
        this.next();
        return { kind: 'empty', ...this.span(start) };
      }
    }
    if (t.type === 'keyword') {
      switch (t.text) {
        case 'if': {
          this.next();
          const cond = this.parenCondition();
          const then = this.nested();
          const otherwise = this.accept('else') ? this.nested() : null;
          return { kind: 'if', cond, then, otherwise, ...this.span(start) };
        }
        case 'while': {
          this.next();
          const cond = this.parenCondition();
          return { kind: 'while', cond, body: this.nested(), ...this.span(start) };
        }
        case 'for':
          return this.forStatement();
        case 'return': {
          this.next();
          const value = this.is(';') ? null : this.expression();
          this.endStatement();
          return { kind: 'return', value, ...this.span(start) };
        }
        case 'break':
        case 'continue': {
          this.next();
          this.endStatement();
          return { kind: t.text, ...this.span(start) };
        }
        case 'throw': {
          this.next();
          const value = this.expression();
          this.endStatement();
          return { kind: 'throw', value, ...this.span(start) };
        }
        case 'try':
          return this.tryStatement();
        case 'else':
        case 'catch':
          this.errorAtToken(`'${t.text}' without a matching '${t.text === 'else' ? 'if' : 'try'}'`);
          this.next();
          return null;
      }
    }
    const s = this.simpleStatement();
    this.endStatement();
    return s;
  }

  private nested(): Stmt {
    this.enter();
    const s = this.statement() ?? { kind: 'empty', start: this.tok.start, end: this.tok.start };
    this.nesting--;
    return s;
  }

  private endStatement(): void {
    if (!this.accept(';')) {
      this.errorAtToken(`expected ';' but found ${describe(this.tok)}`);
      this.syncStatement();
    }
  }

  private parenCondition(): Expr {
    this.expect('(');
    const e = this.expression();
    if (this.expect(')') === null) {
      while (!this.is(')') && !this.is('{') && !this.is(';') && !this.is('}') && !this.atEnd()) this.next();
      this.accept(')');
    }
    return e;
  }

  /** `var` declarations, assignments, `x++`, and calls: what may stand alone or in a for header. */
  private simpleStatement(): Stmt {
    const start = this.tok.start;
    if (this.accept('var')) {
      const name = this.ident('a variable name');
      if (name === null) return { kind: 'empty', ...this.span(start) };
      const type = this.accept(':') ? this.type() : null;
      const init = this.accept('=') ? this.expression() : null;
      if (type === null && init === null)
        this.sink.error(
          name.start,
          name.end,
          'PH203',
          `variable '${name.text}' needs a type or an initial value`,
        );
      return { kind: 'var', name: name.text, nameSpan: tokenSpan(name), type, init, ...this.span(start) };
    }
    const target = this.expression();
    if (this.tok.type === 'punct' && ASSIGN_OPS.has(this.tok.text)) {
      const op = this.next().text as AssignOp;
      const value = this.expression();
      return { kind: 'assign', target, op, value, ...this.span(start) };
    }
    if (this.is('++') || this.is('--')) {
      const op = this.next().text as '++' | '--';
      return { kind: 'incdec', target, op, ...this.span(start) };
    }
    return { kind: 'expr', expr: target, ...this.span(start) };
  }

  private forStatement(): Stmt {
    const start = this.next().start;
    this.expect('(');
    const init = this.is(';') ? null : this.simpleStatement();
    this.expect(';');
    const cond = this.is(';') ? null : this.expression();
    this.expect(';');
    const update = this.is(')') ? null : this.simpleStatement();
    if (this.expect(')') === null) {
      while (!this.is(')') && !this.is('{') && !this.is(';') && !this.is('}') && !this.atEnd()) this.next();
      this.accept(')');
    }
    return { kind: 'for', init, cond, update, body: this.nested(), ...this.span(start) };
  }

  private tryStatement(): Stmt {
    const start = this.next().start;
    const body = this.block();
    const catches: CatchClause[] = [];
    while (this.is('catch')) {
      const cstart = this.next().start;
      this.expect('(');
      this.accept('var');
      const name = this.ident('a variable name');
      const type = this.accept(':') ? this.type() : null;
      this.expect(')');
      const cbody = this.block();
      if (name !== null)
        catches.push({ name: name.text, nameSpan: tokenSpan(name), type, body: cbody, ...this.span(cstart) });
    }
    if (catches.length === 0)
      this.errorAtToken(`expected 'catch' after the try block but found ${describe(this.tok)}`);
    return { kind: 'try', body, catches, ...this.span(start) };
  }

  private depth(e: Expr): number {
    return this.depths.get(e) ?? 1;
  }

  /** Records an expression's tree depth; stops the parse when it would make later passes recurse too deep. */
  private track<E extends Expr>(e: E, ...children: Expr[]): E {
    let d = 1;
    for (const c of children) d = Math.max(d, this.depth(c) + 1);
    if (d > MAX_EXPRESSION_DEPTH) this.abort(`expression nested deeper than ${MAX_EXPRESSION_DEPTH} levels`);
    if (d > 1) this.depths.set(e, d);
    return e;
  }

  expression(): Expr {
    this.enter();
    const e = this.binary(0);
    this.nesting--;
    return e;
  }

  private binary(level: number): Expr {
    if (level === BINARY_LEVELS.length) return this.unary();
    const ops = BINARY_LEVELS[level]!;
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.tok;
      if (level === RELATIONAL_LEVEL && t.type === 'keyword' && t.text === 'instanceof') {
        this.next();
        const type = this.type();
        left = this.track(
          { kind: 'instanceof', operand: left, type, start: left.start, end: type.end },
          left,
        );
        continue;
      }
      if (t.type !== 'punct' || !(ops as readonly string[]).includes(t.text)) return left;
      this.next();
      const right = this.binary(level + 1);
      left = this.track(
        { kind: 'binary', op: t.text as BinaryOp, left, right, start: left.start, end: right.end },
        left,
        right,
      );
    }
  }

  private unary(): Expr {
    const t = this.tok;
    if (t.type === 'punct' && (t.text === '-' || t.text === '!' || t.text === '~')) {
      this.next();
      this.enter();
      const operand = this.unary();
      this.nesting--;
      if (t.text === '-' && operand.kind === 'int')
        return { kind: 'int', value: -operand.value, start: t.start, end: operand.end };
      return this.track({ kind: 'unary', op: t.text, operand, start: t.start, end: operand.end }, operand);
    }
    if (t.type === 'punct' && t.text === '(' && this.looksLikeCast()) {
      this.next();
      const type = this.type();
      this.expect(')');
      this.enter();
      const operand = this.unary();
      this.nesting--;
      return this.track({ kind: 'cast', type, operand, start: t.start, end: operand.end }, operand);
    }
    return this.postfix(this.primary());
  }

  /** At `(`: is this `(Type) operand`? Type keywords always are; a class name is when an operand follows. */
  private looksLikeCast(): boolean {
    let i = 1;
    const first = this.peek(i);
    if (first.type === 'keyword' && TYPE_KEYWORDS.has(first.text)) return first.text !== 'void';
    const qualified = first.text === '.' && first.type === 'punct';
    if (qualified) i++;
    if (this.peek(i).type !== 'ident') return false;
    i++;
    while (this.peek(i).text === '.' && this.peek(i + 1).type !== 'eof' && this.peek(i + 1).type !== 'punct')
      i += 2;
    let dims = 0;
    while (this.peek(i).text === '[' && this.peek(i + 1).text === ']') {
      i += 2;
      dims++;
    }
    if (this.peek(i).text !== ')' || this.peek(i).type !== 'punct') return false;
    const after = this.peek(i + 1);
    // `(.a.b.C)` and `(T[])` cannot be values, so they are casts even before `.a.b.f()`.
    if ((qualified || dims > 0) && after.text === '.' && after.type === 'punct') return true;
    return (
      after.type === 'ident' ||
      after.type === 'int' ||
      after.type === 'string' ||
      (CAST_FOLLOWERS.has(after.text) && after.type !== 'eof')
    );
  }

  private args(): Expr[] {
    const args: Expr[] = [];
    this.expect('(');
    if (this.accept(')')) return args;
    for (;;) {
      args.push(this.expression());
      if (!this.accept(',')) break;
    }
    if (this.expect(')') === null) {
      while (!this.is(')') && !this.is(';') && !this.is('{') && !this.is('}') && !this.atEnd()) this.next();
      this.accept(')');
    }
    return args;
  }

  private primary(): Expr {
    const t = this.tok;
    const start = t.start;
    switch (t.type) {
      case 'int':
        this.next();
        return { kind: 'int', value: t.value, start, end: t.end };
      case 'string':
        this.next();
        return { kind: 'string', value: t.text, start, end: t.end };
      case 'ident':
        this.next();
        if (this.is('(')) {
          const args = this.args();
          return this.track(
            { kind: 'call', target: null, name: t.text, nameSpan: tokenSpan(t), args, ...this.span(start) },
            ...args,
          );
        }
        return { kind: 'name', name: t.text, start, end: t.end };
      case 'keyword':
        switch (t.text) {
          case 'true':
          case 'false':
            this.next();
            return { kind: 'bool', value: t.text === 'true', start, end: t.end };
          case 'null':
          case 'this':
            this.next();
            return { kind: t.text, start, end: t.end };
          case 'super':
            this.next();
            if (this.is('(')) {
              const args = this.args();
              return this.track({ kind: 'superCtor', args, ...this.span(start) }, ...args);
            }
            if (!this.is('.'))
              this.errorAtToken(`expected '.' or '(' after 'super' but found ${describe(this.tok)}`);
            return { kind: 'super', start, end: t.end };
          case 'new':
            return this.newExpression();
        }
        break;
      case 'punct':
        if (t.text === '(') {
          this.next();
          const e = this.expression();
          if (this.expect(')') === null) this.syncExpression();
          return e;
        }
        if (t.text === '.') {
          const q = this.qualifiedName(false);
          if (q === null) return { kind: 'error', start, end: this.tok.start };
          if (this.is('(')) {
            const dot = q.name.lastIndexOf('.');
            const name = q.name.slice(dot + 1);
            const target: Expr = {
              kind: 'path',
              path: q.name.slice(0, dot),
              start,
              end: q.span.end - name.length - 1,
            };
            const args = this.args();
            return this.track(
              {
                kind: 'call',
                target,
                name,
                nameSpan: { start: q.span.end - name.length, end: q.span.end },
                args,
                ...this.span(start),
              },
              ...args,
            );
          }
          return { kind: 'path', path: q.name, start, end: q.span.end };
        }
        break;
    }
    this.errorAtToken(`expected an expression but found ${describe(t)}`);
    if (t.type !== 'eof' && !(t.type === 'punct' && [';', ')', '}', ']', ','].includes(t.text))) this.next();
    return { kind: 'error', start, end: t.end };
  }

  private syncExpression(): void {
    while (!this.is(')') && !this.is(';') && !this.is('{') && !this.is('}') && !this.atEnd()) this.next();
    this.accept(')');
  }

  private newExpression(): Expr {
    const start = this.next().start;
    const typeStart = this.tok.start;
    let name: string;
    if (this.tok.type === 'keyword' && TYPE_KEYWORDS.has(this.tok.text)) name = this.next().text;
    else if (this.tok.type === 'ident') name = this.next().text;
    else if (this.is('.')) name = this.qualifiedName(false)?.name ?? 'any';
    else {
      this.errorAtToken(`expected a class name after 'new' but found ${describe(this.tok)}`);
      return { kind: 'error', start, end: this.tok.start };
    }
    const typeEnd = this.tokens[this.pos - 1]!.end;
    if (this.is('[')) {
      this.next();
      const length = this.expression();
      this.expect(']');
      let dims = 0;
      while (this.is('[') && this.peek(1).text === ']') {
        this.next();
        this.next();
        dims++;
      }
      const element: TypeNode = { kind: 'type', name, dims, start: typeStart, end: typeEnd };
      return this.track({ kind: 'newArray', element, length, ...this.span(start) }, length);
    }
    const type: TypeNode = { kind: 'type', name, dims: 0, start: typeStart, end: typeEnd };
    if (!this.is('(')) {
      this.errorAtToken(`expected '(' or '[' after 'new ${name}' but found ${describe(this.tok)}`);
      return { kind: 'error', start, end: typeEnd };
    }
    const args = this.args();
    return this.track({ kind: 'new', type, args, ...this.span(start) }, ...args);
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      if (this.is('.')) {
        this.next();
        const name = this.ident('a field or method name');
        if (name === null) return e;
        if (this.is('(')) {
          const args = this.args();
          e = this.track(
            {
              kind: 'call',
              target: e,
              name: name.text,
              nameSpan: tokenSpan(name),
              args,
              start: e.start,
              end: this.span(0).end,
            },
            e,
            ...args,
          );
        } else
          e = this.track(
            {
              kind: 'field',
              object: e,
              name: name.text,
              nameSpan: tokenSpan(name),
              start: e.start,
              end: name.end,
            },
            e,
          );
      } else if (this.is('[')) {
        this.next();
        const index = this.expression();
        this.expect(']');
        e = this.track({ kind: 'index', object: e, index, start: e.start, end: this.span(0).end }, e, index);
      } else return e;
    }
  }
}

function tokenSpan(t: Token): Span {
  return { start: t.start, end: t.end };
}

function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'the end of the file';
    case 'string':
      return 'a string';
    case 'int':
      return `'${t.text.length > 20 ? `${t.text.slice(0, 20)}…` : t.text}'`;
    default:
      return `'${t.text.length > 40 ? `${t.text.slice(0, 40)}…` : t.text}'`;
  }
}
