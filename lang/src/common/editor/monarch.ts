/**
 * Syntax colouring for the Phantom language as a Monaco Monarch definition — plain data, so this
 * package needs no Monaco: the studio's renderer passes it to
 * `monaco.languages.setMonarchTokensProvider(PHANTOM_LANGUAGE_ID, phantomMonarch)`.
 * The keyword list is the lexer's, so colouring and compiling agree on what a keyword is.
 */
import { KEYWORDS } from '../lexer.js';

export const PHANTOM_LANGUAGE_ID = 'phantom';
export const PHANTOM_FILE_EXTENSIONS: readonly string[] = ['.ph'];

const TYPE_KEYWORDS = ['int', 'boolean', 'void', 'any'];

/** The subset of Monaco's IMonarchLanguage this definition uses. */
export interface MonarchLanguage {
  readonly defaultToken: string;
  readonly tokenPostfix: string;
  readonly keywords: readonly string[];
  readonly typeKeywords: readonly string[];
  readonly operators: readonly string[];
  readonly symbols: RegExp;
  readonly escapes: RegExp;
  readonly brackets: readonly { open: string; close: string; token: string }[];
  readonly tokenizer: Record<string, readonly unknown[]>;
}

export const phantomMonarch: MonarchLanguage = {
  defaultToken: '',
  tokenPostfix: '.ph',
  keywords: [...KEYWORDS].filter((k) => !TYPE_KEYWORDS.includes(k)),
  typeKeywords: [...TYPE_KEYWORDS, 'string'],
  operators: [
    '=',
    '>',
    '<',
    '!',
    '~',
    '==',
    '<=',
    '>=',
    '!=',
    '&&',
    '||',
    '++',
    '--',
    '+',
    '-',
    '*',
    '/',
    '&',
    '|',
    '^',
    '%',
    '<<',
    '>>',
    '+=',
    '-=',
    '*=',
    '/=',
    '&=',
    '|=',
    '^=',
    '%=',
    '<<=',
    '>>=',
  ],
  symbols: /[=><!~&|+\-*/^%]+/,
  escapes: /\\(?:[ntr0\\"']|x[0-7][0-9A-Fa-f])/,
  brackets: [
    { open: '{', close: '}', token: 'delimiter.curly' },
    { open: '[', close: ']', token: 'delimiter.square' },
    { open: '(', close: ')', token: 'delimiter.parenthesis' },
  ],
  tokenizer: {
    root: [
      [/(\.[a-zA-Z_]\w*)+/, 'type.identifier'],
      [
        /[a-zA-Z_]\w*/,
        { cases: { '@typeKeywords': 'type', '@keywords': 'keyword', '@default': 'identifier' } },
      ],
      { include: '@whitespace' },
      [/[{}()[\]]/, '@brackets'],
      [/@symbols/, { cases: { '@operators': 'operator', '@default': '' } }],
      [/0[xX][0-9a-fA-F]+/, 'number.hex'],
      [/\d+/, 'number'],
      [/[;,:]/, 'delimiter'],
      [/"([^"\\]|\\.)*$/, 'string.invalid'],
      [/"/, { token: 'string.quote', bracket: '@open', next: '@string' }],
      [/'(?:[^'\\]|@escapes)'/, 'string.char'],
      [/'/, 'string.invalid'],
    ],
    string: [
      [/[^\\"]+/, 'string'],
      [/@escapes/, 'string.escape'],
      [/\\./, 'string.escape.invalid'],
      [/"/, { token: 'string.quote', bracket: '@close', next: '@pop' }],
    ],
    comment: [
      [/[^/*]+/, 'comment'],
      [/\*\//, 'comment', '@pop'],
      [/[/*]/, 'comment'],
    ],
    whitespace: [
      [/[ \t\r\n]+/, 'white'],
      [/\/\*/, 'comment', '@comment'],
      [/\/\/.*$/, 'comment'],
    ],
  },
};
