// The editor data: the Monarch definition uses only regexes that compile and names the lexer's
// keywords; checkSource is what an editor calls per keystroke and stays fast on a large file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSource } from '../compiler.js';
import { KEYWORDS } from '../lexer.js';
import { phantomLanguageConfiguration } from './language-configuration.js';
import { phantomMonarch } from './monarch.js';

test('the Monarch definition covers every keyword and its rules are well-formed', () => {
  const all = new Set([...phantomMonarch.keywords, ...phantomMonarch.typeKeywords]);
  for (const k of KEYWORDS) assert.ok(all.has(k), k);
  for (const [state, rules] of Object.entries(phantomMonarch.tokenizer)) {
    for (const rule of rules) {
      if (Array.isArray(rule)) assert.ok(rule[0] instanceof RegExp, `${state}: ${String(rule[0])}`);
      else assert.ok(typeof (rule as { include?: string }).include === 'string');
    }
  }
  assert.ok(JSON.stringify(phantomMonarch.tokenizer).length > 0);
});

test('the language configuration pairs brackets and comments', () => {
  assert.equal(phantomLanguageConfiguration.comments.lineComment, '//');
  assert.ok(phantomLanguageConfiguration.wordPattern.test('.internal.io.tty'));
  assert.ok(phantomLanguageConfiguration.indentationRules.increaseIndentPattern.test('class a {'));
});

test('checkSource of an edited 2,000-line file returns diagnostics for the edit', () => {
  const methods = Array.from(
    { length: 200 },
    (_, i) =>
      `  int m${i}(var x : int) {\n    var y = x * ${i};\n    if (y > 10) {\n      y = y - 1;\n    }\n    return y + count;\n  }\n`,
  ).join('');
  const text = `package .big;\nclass big {\n  var count : int;\n${methods}};\n`;
  assert.ok(text.split('\n').length >= 1400);
  assert.deepEqual(checkSource(text, 'big.ph'), []);
  const edited = text.replace('return y + count;', 'return y + cuont;');
  const d = checkSource(edited, 'big.ph');
  assert.equal(d.length, 1);
  assert.match(d[0]!.message, /cuont/);
});
