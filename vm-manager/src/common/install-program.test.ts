// Compiling one source file for installing into a machine, and which class "Install and run"
// starts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileForInstall, programClassName } from './install-program.js';

const classesOf = (text: string) => compileForInstall('examples/notes.ph', text).classes;

test('"Install and run" starts the class named like its file, else the only one with run()', () => {
  const twoRunnable = 'package .t;\nclass helper { void run() { } };\nclass notes { void run() { } };\n';
  assert.equal(programClassName('examples/notes.ph', classesOf(twoRunnable)), '.t.notes');
  const oneRunnable =
    'package .t;\nclass list { int size() { return 0; } };\nclass main { void run() { } };\n';
  assert.equal(programClassName('examples/notes.ph', classesOf(oneRunnable)), '.t.main');
  const noneRunnable = 'package .t;\nclass list { int size() { return 0; } };\n';
  assert.throws(() => programClassName('examples/notes.ph', classesOf(noneRunnable)), {
    code: 'bad-input',
    message: 'notes.ph has no class with a run() method to start',
  });
  const ambiguous = 'package .t;\nclass a { void run() { } };\nclass b { void run() { } };\n';
  assert.throws(() => programClassName('examples/notes.ph', classesOf(ambiguous)), {
    message: 'notes.ph has several classes with run() and none named notes: .t.a, .t.b',
  });
});

test("only the file's own classes are compiled for install, superclasses first; errors come back instead", () => {
  const { classes, errors } = compileForInstall(
    'notes.ph',
    'package .t;\nclass b extends a { };\nclass a { void run() { } };\n',
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(
    classes.map((c) => c.name),
    ['.t.a', '.t.b'],
  );
  const broken = compileForInstall('notes.ph', 'package .t;\nclass a { void run() { x = 1; } };\n');
  assert.deepEqual(broken.classes, []);
  assert.ok(broken.errors.length > 0);
  assert.ok(broken.errors.every((e) => e.severity === 'error' && e.file === 'notes.ph'));
});
