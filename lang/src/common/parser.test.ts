// The lexer and parser on hostile input: they never throw and stay linear — garbage bytes,
// a 10 MB line, unterminated strings and comments, nesting far deeper than any program.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSource } from './compiler.js';
import { DiagnosticSink, formatDiagnostic, MAX_DIAGNOSTICS_PER_FILE } from './diagnostics.js';
import { tokenize } from './lexer.js';
import { parse } from './parser.js';

const codes = (text: string) => checkSource(text, 'x.ph').map((d) => d.code);

test('tokens: keywords, names, numbers, strings with escapes, character literals, operators', () => {
  const sink = new DiagnosticSink('x.ph', '');
  const toks = tokenize('class a1 0x1F 42 "a\\n\\x41" \'z\' <<= >> && // c\n/* b */ .', sink);
  assert.deepEqual(
    toks.map((t) => [t.type, t.type === 'int' ? t.value : t.text]),
    [
      ['keyword', 'class'],
      ['ident', 'a1'],
      ['int', 31],
      ['int', 42],
      ['string', 'a\nA'],
      ['int', 122],
      ['punct', '<<='],
      ['punct', '>>'],
      ['punct', '&&'],
      ['punct', '.'],
      ['eof', ''],
    ],
  );
  assert.deepEqual(sink.diagnostics, []);
});

test('positions are 1-based lines and columns; the printed form is file:line:col: error: msg [code]', () => {
  const d = checkSource('class a {\n  void f() { x = 1; }\n};', 'x.ph');
  assert.equal(d.length, 1);
  assert.deepEqual([d[0]!.line, d[0]!.column, d[0]!.endLine, d[0]!.endColumn], [2, 14, 2, 15]);
  assert.equal(formatDiagnostic(d[0]!), "x.ph:2:14: error: unknown variable 'x' [PH341]");
});

test('unterminated strings and comments, bad escapes and garbage bytes are diagnostics', () => {
  assert.ok(codes('class a { void f() { var s = "abc\n; } };').includes('PH105'));
  assert.ok(codes('class a { /* never closed').includes('PH102'));
  assert.ok(codes('class a { void f() { var s = "\\q"; } };').includes('PH104'));
  assert.ok(codes('class a { void f() { var s = "\\xff"; } };').includes('PH104'));
  assert.ok(codes("class a { void f() { var c = 'é'; } };").includes('PH106'));
  const garbage = codes('class a { \u0000\u0001\u00ff#@$ };');
  assert.deepEqual(garbage, ['PH101'], 'one diagnostic for a run of bad characters');
});

test('a byte order mark and CRLF line ends are not errors', () => {
  assert.deepEqual(codes('\ufeffclass a {\r\n  void f() {\r\n  }\r\n};\r\n'), []);
  const d = checkSource('\ufeffclass a {\r\n  void f() { x = 1; }\r\n};', 'x.ph');
  assert.deepEqual([d[0]!.line, d[0]!.column], [2, 14]);
});

test('diagnostics per file are capped', () => {
  const d = checkSource(`${'#\n'.repeat(5000)}class`, 'x.ph');
  assert.equal(d.length, MAX_DIAGNOSTICS_PER_FILE + 1);
  assert.equal(d.at(-1)!.code, 'PH001');
});

test('a 10 MB line is handled in linear time', () => {
  const long = `class a { void f() { var s = "${'x'.repeat(10_000_000)}"; var t = ${'1+'.repeat(100)}1; } };`;
  const t0 = performance.now();
  assert.deepEqual(codes(long), []);
  const garbage = '\u0007'.repeat(10_000_000);
  assert.deepEqual(codes(garbage), ['PH101']);
  const idents = 'abc '.repeat(500_000);
  assert.ok(codes(idents).length > 0);
  assert.ok(performance.now() - t0 < 30_000);
});

test('deep nesting gets one diagnostic instead of exhausting the stack', () => {
  const parens = `class a { int f() { return ${'('.repeat(100_000)}1${')'.repeat(100_000)}; } };`;
  assert.ok(codes(parens).includes('PH202'));
  const blocks = `class a { void f() { ${'{'.repeat(50_000)}${'}'.repeat(50_000)} } };`;
  assert.ok(codes(blocks).includes('PH202'));
  const chain = `class a { int f() { return ${'1 + '.repeat(200_000)}1; } };`;
  assert.ok(codes(chain).includes('PH202'));
  const unary = `class a { int f() { return ${'- '.repeat(100_000)}1; } };`;
  assert.ok(codes(unary).includes('PH202'));
  const ifs = `class a { void f() { ${'if (true) '.repeat(50_000)}; } };`;
  assert.ok(codes(ifs).includes('PH202'));
  const calls = `class a { int f(var x : int) { return ${'f('.repeat(50_000)}1${')'.repeat(50_000)}; } };`;
  assert.ok(codes(calls).includes('PH202'));
  const fields = `class a { var n : a; void f() { var x = this${'.n'.repeat(200_000)}; } };`;
  assert.ok(codes(fields).includes('PH202'));
});

test('moderate nesting is fine', () => {
  const text = `class a { int f() { return ${'('.repeat(150)}1${')'.repeat(150)}; } };`;
  assert.deepEqual(codes(text), []);
});

test('the parser recovers: a broken member or statement costs one diagnostic', () => {
  const sink = new DiagnosticSink('x.ph', '');
  const file = parse(
    `package .p;
import .internal.io.tty;
class a {
  var x : int
  void f() { var y = ; tty.println("ok"); }
  int ) broken;
  void g() {}
};
junk junk
class b {};`,
    sink,
  );
  assert.equal(file.packageName, '.p');
  assert.deepEqual(
    file.classes.map((c) => c.name),
    ['a', 'b'],
  );
  assert.deepEqual(
    file.classes[0]!.methods.map((m) => m.name),
    ['f', 'g'],
  );
  assert.ok(sink.diagnostics.length >= 3 && sink.diagnostics.length <= 6, JSON.stringify(sink.diagnostics));
});
