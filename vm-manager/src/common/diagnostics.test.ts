import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDiagnostic } from './diagnostics.js';

test('gcc errors, warnings, notes and fatal errors are parsed', () => {
  assert.deepEqual(
    parseDiagnostic('gcc', "core/main.c:12:5: error: 'x' undeclared (first use in this function)"),
    {
      tool: 'gcc',
      file: 'core/main.c',
      line: 12,
      col: 5,
      severity: 'error',
      message: "'x' undeclared (first use in this function)",
    },
  );
  assert.equal(parseDiagnostic('gcc', 'a.c:1:2: warning: unused variable')?.severity, 'warning');
  assert.equal(parseDiagnostic('gcc', 'a.h:3:1: note: declared here')?.severity, 'note');
  assert.equal(parseDiagnostic('gcc', 'a.c:9:1: fatal error: b.h: No such file')?.severity, 'error');
});

test('phc diagnostics without a column get column 1', () => {
  assert.deepEqual(parseDiagnostic('phc', 'examples/counter.ph:4: error: unknown class Foo'), {
    tool: 'phc',
    file: 'examples/counter.ph',
    line: 4,
    col: 1,
    severity: 'error',
    message: 'unknown class Foo',
  });
});

test('lines that are not diagnostics give undefined', () => {
  for (const line of [
    '',
    'make: Entering directory',
    'cc -c core/main.c',
    'a.c:0:1: error: line zero',
    'a.c: error: no line number',
    'In file included from a.c:1:',
    'a.c:99999999999999999999:1: error: huge',
  ]) {
    assert.equal(parseDiagnostic('gcc', line), undefined, line);
  }
});

test('fuzz: random lines never throw, and what parses is well formed', () => {
  let seed = 99;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pieces = [
    'a.c',
    ':',
    '12',
    '0',
    '-3',
    ' error',
    ' warning',
    ' note',
    'fatal error',
    ': ',
    'x',
    '\t',
    '99999999999999999999',
  ];
  for (let i = 0; i < 20_000; i++) {
    const line = Array.from(
      { length: Math.floor(next() * 10) },
      () => pieces[Math.floor(next() * pieces.length)],
    ).join('');
    const d = parseDiagnostic('gcc', line);
    if (!d) continue;
    assert.ok(Number.isSafeInteger(d.line) && d.line >= 1, line);
    assert.ok(Number.isSafeInteger(d.col) && d.col >= 1, line);
    assert.ok(d.file.length > 0, line);
  }
});
