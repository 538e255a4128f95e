import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkProgram, compileClasses, definitionOf, programClassName } from './language.js';

const entry = { root: 'project' as const, path: 'demo.ph' };

test('a compile error comes back at its line with the compiler code', () => {
  const text = 'package .t;\nclass demo {\n  void run() {\n    var x : int = "text";\n  }\n};\n';
  const diagnostics = checkProgram(entry, text);
  assert.ok(diagnostics.length > 0, 'at least one diagnostic');
  const first = diagnostics[0]!;
  assert.equal(first.severity, 'error');
  assert.equal(first.line, 4);
  assert.match(first.code ?? '', /^PH\d+/);
  assert.ok(first.endColumn > first.column || first.endLine > first.line);
});

test('a correct program has no diagnostics; garbage gets diagnostics, not an exception', () => {
  assert.deepEqual(checkProgram(entry, 'package .t;\nclass demo {\n  void run() {\n  }\n};\n'), []);
  for (const garbage of ['}}}{{{', '\u0000\u0001', 'class', '"unterminated', 'x'.repeat(10_000)])
    assert.ok(Array.isArray(checkProgram(entry, garbage)));
});

test('go to definition finds a declaration in the same buffer', () => {
  const text = 'package .t;\nclass demo {\n  var count : int;\n  void run() {\n    count = 1;\n  }\n};\n';
  const location = definitionOf(entry, text, 5, 6);
  assert.deepEqual(location && { line: location.line, root: location.root, path: location.path }, {
    line: 3,
    root: 'project',
    path: 'demo.ph',
  });
  assert.equal(definitionOf(entry, text, 1, 1), null);
});

test('"Install and run" starts the class named like its file, else the only one with run()', () => {
  const notes = { root: 'examples' as const, path: 'notes.ph' };
  const twoRunnable = 'package .t;\nclass helper { void run() { } };\nclass notes { void run() { } };\n';
  assert.equal(programClassName(notes, compileClasses(notes, twoRunnable)), '.t.notes');
  const oneRunnable =
    'package .t;\nclass list { int size() { return 0; } };\nclass main { void run() { } };\n';
  assert.equal(programClassName(notes, compileClasses(notes, oneRunnable)), '.t.main');
  const noneRunnable = 'package .t;\nclass list { int size() { return 0; } };\n';
  assert.throws(() => programClassName(notes, compileClasses(notes, noneRunnable)), {
    message: 'notes.ph has no class with a run() method to start',
  });
  const ambiguous = 'package .t;\nclass a { void run() { } };\nclass b { void run() { } };\n';
  assert.throws(() => programClassName(notes, compileClasses(notes, ambiguous)), {
    message: 'notes.ph has several classes with run() and none named notes: .t.a, .t.b',
  });
});
