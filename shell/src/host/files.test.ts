import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiError } from '../common/api.js';
import { Files } from './files.js';

let dir: string;
let files: Files;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'phantom-files-test-'));
  mkdirSync(join(dir, 'examples', 'nested'), { recursive: true });
  writeFileSync(join(dir, 'examples', 'counter.ph'), 'class Counter {}\n');
  writeFileSync(join(dir, 'examples', 'nested', 'notes.ph'), 'class Notes {}\n');
  writeFileSync(join(dir, 'examples', 'README.md'), 'not a program');
  writeFileSync(join(dir, 'outside.ph'), 'secret');
  symlinkSync(join(dir, 'outside.ph'), join(dir, 'examples', 'link.ph'));
  symlinkSync(dir, join(dir, 'examples', 'escape'));
  files = new Files({ examples: join(dir, 'examples'), project: join(dir, 'project') });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('lists the Phantom sources of every root, relative to it', () => {
  const listed = files.list().map((e) => `${e.root}:${e.path}`);
  assert.deepEqual(listed, ['examples:counter.ph', 'examples:nested/notes.ph']);
});

test('reads and writes inside a root, creating the project folder', () => {
  assert.equal(files.read({ root: 'examples', path: 'nested/notes.ph' }), 'class Notes {}\n');
  files.write({ root: 'project', path: 'mine/hello.ph' }, 'class Hello {}');
  assert.equal(readFileSync(join(dir, 'project', 'mine', 'hello.ph'), 'utf8'), 'class Hello {}');
});

test('refuses every path that could leave its root, with a clear error', () => {
  const bad = [
    '../outside.ph',
    'nested/../../outside.ph',
    '/etc/passwd.ph',
    'link.ph',
    'escape/outside.ph',
    'a\0.ph',
    'nested\\notes.ph',
    './counter.ph',
    'nested//notes.ph',
    'README.md',
  ];
  for (const path of bad) {
    assert.throws(() => files.read({ root: 'examples', path }), ApiError, path);
    assert.throws(() => files.write({ root: 'examples', path }, 'x'), ApiError, path);
  }
  // A link that leads back inside the root is fine.
  assert.equal(files.read({ root: 'examples', path: 'escape/examples/counter.ph' }), 'class Counter {}\n');
  assert.equal(readFileSync(join(dir, 'outside.ph'), 'utf8'), 'secret');
});

test('a missing file is a failed read, not a crash', () => {
  assert.throws(() => files.read({ root: 'examples', path: 'nope.ph' }), /does not exist/);
});
