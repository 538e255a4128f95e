// Installing a buffer through the API: its errors and an ambiguous "Install and run" become
// invalid-params errors the editor shows (which class runs is vm-manager's install-program.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, ErrorCode } from '../common/api.js';
import { compileClasses, programClass } from './language.js';

const notes = { root: 'examples' as const, path: 'notes.ph' };

test('a buffer that does not compile is refused with its errors as the details', () => {
  assert.throws(
    () => compileClasses(notes, 'package .t;\nclass a { void run() { x = 1; } };\n'),
    (err) =>
      err instanceof ApiError &&
      err.body.code === ErrorCode.InvalidParams &&
      /^notes\.ph does not compile \(1 error\)$/.test(err.message) &&
      /^2:\d+: /.test(err.body.details ?? ''),
  );
});

test('"Install and run" of a buffer without a program class is refused as invalid params', () => {
  const classes = compileClasses(notes, 'package .t;\nclass list { int size() { return 0; } };\n');
  assert.deepEqual(
    classes.map((c) => c.name),
    ['.t.list'],
  );
  assert.throws(
    () => programClass(notes, classes),
    (err) =>
      err instanceof ApiError &&
      err.body.code === ErrorCode.InvalidParams &&
      /no class with a run\(\)/.test(err.message),
  );
});
