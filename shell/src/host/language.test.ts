// Which class "Install and run" starts, from a buffer's compiled classes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileClasses, programClassName } from './language.js';

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
