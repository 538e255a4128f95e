import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
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

test('reads and writes inside a root, creating the project folder', async () => {
  assert.equal(await files.read({ root: 'examples', path: 'nested/notes.ph' }), 'class Notes {}\n');
  await files.write({ root: 'project', path: 'mine/hello.ph' }, 'class Hello {}');
  assert.equal(readFileSync(join(dir, 'project', 'mine', 'hello.ph'), 'utf8'), 'class Hello {}');
});

test('refuses every path that could leave its root, with a clear error', async () => {
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
    await assert.rejects(files.read({ root: 'examples', path }), ApiError, path);
    await assert.rejects(files.write({ root: 'examples', path }, 'x'), ApiError, path);
  }
  // A link that leads back inside the root is fine.
  assert.equal(
    await files.read({ root: 'examples', path: 'escape/examples/counter.ph' }),
    'class Counter {}\n',
  );
  assert.equal(readFileSync(join(dir, 'outside.ph'), 'utf8'), 'secret');
});

test('a missing file is a failed read, not a crash', async () => {
  await assert.rejects(files.read({ root: 'examples', path: 'nope.ph' }), /does not exist/);
});

/**
 * Runs `action` (a read or a write of the editor) on a FIFO whose other end a shell opens after
 * a second: how long `action` held the event loop, and what it threw. One that opens the FIFO
 * as a file would wait for that shell, and the host would answer nobody meanwhile.
 */
async function onFifo(
  fifo: string,
  otherEnd: string,
  action: () => Promise<unknown>,
): Promise<{ heldMs: number; error: unknown }> {
  execFileSync('mkfifo', [fifo]);
  const shell = spawn('sh', ['-c', `sleep 1; ${otherEnd}`, fifo], { stdio: 'ignore' });
  try {
    const started = performance.now();
    const settled = action().then(
      () => undefined,
      (err: unknown) => err,
    );
    const heldMs = performance.now() - started;
    return { heldMs, error: await settled };
  } finally {
    shell.kill();
  }
}

const notRegular = (err: unknown) => err instanceof ApiError && /not a regular file/.test(err.message);

test('a FIFO named like a program is refused at once: reading or writing it never blocks the host', async () => {
  mkdirSync(join(dir, 'project'), { recursive: true });
  const read = await onFifo(join(dir, 'project', 'fifo-read.ph'), 'echo planted > "$0"', async () =>
    files.read({ root: 'project', path: 'fifo-read.ph' }),
  );
  assert.ok(read.heldMs < 100, `files.read held the event loop for ${read.heldMs.toFixed(0)} ms`);
  assert.ok(notRegular(read.error), `files.read: ${read.error}`);
  const write = await onFifo(join(dir, 'project', 'fifo-write.ph'), 'cat "$0" > /dev/null', async () =>
    files.write({ root: 'project', path: 'fifo-write.ph' }, 'class X {}'),
  );
  assert.ok(write.heldMs < 100, `files.write held the event loop for ${write.heldMs.toFixed(0)} ms`);
  assert.ok(notRegular(write.error), `files.write: ${write.error}`);
  assert.deepEqual(
    files.list().filter((e) => e.path.startsWith('fifo')),
    [],
  );
});

test('a folder named like a program is refused as not a regular file', async () => {
  mkdirSync(join(dir, 'project', 'folder.ph'), { recursive: true });
  await assert.rejects(async () => files.read({ root: 'project', path: 'folder.ph' }), notRegular);
});
