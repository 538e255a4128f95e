/**
 * The editor's language configuration for Phantom sources (comments, brackets, auto-closing,
 * indentation) as plain data in the shape of Monaco's LanguageConfiguration:
 * `monaco.languages.setLanguageConfiguration(PHANTOM_LANGUAGE_ID, phantomLanguageConfiguration)`.
 */

export interface LanguageConfiguration {
  readonly comments: { readonly lineComment: string; readonly blockComment: readonly [string, string] };
  readonly brackets: readonly (readonly [string, string])[];
  readonly autoClosingPairs: readonly { open: string; close: string; notIn?: readonly string[] }[];
  readonly surroundingPairs: readonly { open: string; close: string }[];
  readonly indentationRules: {
    readonly increaseIndentPattern: RegExp;
    readonly decreaseIndentPattern: RegExp;
  };
  readonly wordPattern: RegExp;
}

export const phantomLanguageConfiguration: LanguageConfiguration = {
  comments: { lineComment: '//', blockComment: ['/*', '*/'] },
  brackets: [
    ['{', '}'],
    ['[', ']'],
    ['(', ')'],
  ],
  autoClosingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '(', close: ')' },
    { open: '"', close: '"', notIn: ['string', 'comment'] },
    { open: "'", close: "'", notIn: ['string', 'comment'] },
    { open: '/*', close: ' */', notIn: ['string'] },
  ],
  surroundingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '(', close: ')' },
    { open: '"', close: '"' },
  ],
  indentationRules: {
    increaseIndentPattern: /^.*\{[^}"']*$/,
    decreaseIndentPattern: /^\s*\};?\s*$/,
  },
  /** A name, or a full class name such as .internal.io.tty. */
  wordPattern: /(\.?[a-zA-Z_]\w*)+|-?\d+/,
};
