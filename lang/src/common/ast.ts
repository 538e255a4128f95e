/**
 * The syntax tree the parser builds. Every node carries its source range as offsets
 * (`start`, `end`) into the file's text; DiagnosticSink/LineMap turn them into lines and columns.
 * The tree is plain data: the checker and code generator read it and never change it.
 */

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A type as written: `int`, `boolean`, `string`, `void`, `any`, `tty`, `.a.b.C`, each with `[]`s. */
export interface TypeNode extends Span {
  readonly kind: 'type';
  readonly name: string;
  readonly dims: number;
}

export interface SourceFile {
  readonly file: string;
  /** `.a.b`, or '' when the file has no package line. */
  readonly packageName: string;
  readonly imports: readonly ImportDecl[];
  readonly classes: readonly ClassDecl[];
}

export interface ImportDecl extends Span {
  /** Full class name, e.g. `.internal.io.tty`. */
  readonly path: string;
  /** The name the import brings into scope (`tty`). */
  readonly simpleName: string;
}

export interface ClassDecl extends Span {
  readonly name: string;
  readonly nameSpan: Span;
  readonly superType: TypeNode | null;
  readonly fields: readonly FieldDecl[];
  readonly methods: readonly MethodDecl[];
}

export interface FieldDecl extends Span {
  readonly name: string;
  readonly nameSpan: Span;
  readonly type: TypeNode | null;
  readonly init: Expr | null;
}

export interface ParamDecl extends Span {
  readonly name: string;
  readonly nameSpan: Span;
  readonly type: TypeNode;
}

export interface MethodDecl extends Span {
  readonly name: string;
  readonly nameSpan: Span;
  readonly isStatic: boolean;
  readonly isNative: boolean;
  readonly isConstructor: boolean;
  /** `void` for constructors. */
  readonly returnType: TypeNode;
  readonly params: readonly ParamDecl[];
  /** null for natives (and for a method whose body did not parse). */
  readonly body: Block | null;
}

export interface Block extends Span {
  readonly kind: 'block';
  readonly statements: readonly Stmt[];
}

export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '&=' | '|=' | '^=' | '<<=' | '>>=';

export type Stmt =
  | Block
  | (Span & {
      readonly kind: 'var';
      readonly name: string;
      readonly nameSpan: Span;
      readonly type: TypeNode | null;
      readonly init: Expr | null;
    })
  | (Span & { readonly kind: 'expr'; readonly expr: Expr })
  | (Span & { readonly kind: 'assign'; readonly target: Expr; readonly op: AssignOp; readonly value: Expr })
  | (Span & { readonly kind: 'incdec'; readonly target: Expr; readonly op: '++' | '--' })
  | (Span & {
      readonly kind: 'if';
      readonly cond: Expr;
      readonly then: Stmt;
      readonly otherwise: Stmt | null;
    })
  | (Span & { readonly kind: 'while'; readonly cond: Expr; readonly body: Stmt })
  | (Span & {
      readonly kind: 'for';
      readonly init: Stmt | null;
      readonly cond: Expr | null;
      readonly update: Stmt | null;
      readonly body: Stmt;
    })
  | (Span & { readonly kind: 'return'; readonly value: Expr | null })
  | (Span & { readonly kind: 'break' | 'continue' })
  | (Span & { readonly kind: 'throw'; readonly value: Expr })
  | (Span & { readonly kind: 'try'; readonly body: Block; readonly catches: readonly CatchClause[] })
  | (Span & { readonly kind: 'empty' });

export interface CatchClause extends Span {
  readonly name: string;
  readonly nameSpan: Span;
  /** null catches everything. */
  readonly type: TypeNode | null;
  readonly body: Block;
}

export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '&'
  | '|'
  | '^'
  | '<<'
  | '>>'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '&&'
  | '||';

export type Expr =
  | (Span & { readonly kind: 'int'; readonly value: number })
  | (Span & { readonly kind: 'string'; readonly value: string })
  | (Span & { readonly kind: 'bool'; readonly value: boolean })
  | (Span & { readonly kind: 'null' | 'this' | 'error' })
  | (Span & { readonly kind: 'name'; readonly name: string })
  /** `.a.b.C` — a class named in full (only meaningful as the target of a static call). */
  | (Span & { readonly kind: 'path'; readonly path: string })
  | (Span & { readonly kind: 'field'; readonly object: Expr; readonly name: string; readonly nameSpan: Span })
  | (Span & { readonly kind: 'index'; readonly object: Expr; readonly index: Expr })
  | (Span & {
      readonly kind: 'call';
      /** null: a method of the current class; for `super.m()` the target is a `super` node. */
      readonly target: Expr | null;
      readonly name: string;
      readonly nameSpan: Span;
      readonly args: readonly Expr[];
    })
  | (Span & { readonly kind: 'super' })
  | (Span & { readonly kind: 'superCtor'; readonly args: readonly Expr[] })
  | (Span & { readonly kind: 'new'; readonly type: TypeNode; readonly args: readonly Expr[] })
  | (Span & { readonly kind: 'newArray'; readonly element: TypeNode; readonly length: Expr })
  | (Span & { readonly kind: 'unary'; readonly op: '-' | '!' | '~'; readonly operand: Expr })
  | (Span & { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr })
  | (Span & { readonly kind: 'cast'; readonly type: TypeNode; readonly operand: Expr })
  | (Span & { readonly kind: 'instanceof'; readonly operand: Expr; readonly type: TypeNode });
