// phc as a user runs it: the real bin script in a child process, on files in a temp directory;
// checks the output format, the exit codes and that a built .phx reads back as the same program.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compile } from '../common/compiler.js';
import { fromBase64, programFromPhx, programToPhx, toBase64 } from '../common/compiler-phx.js';
import { FORMAT_VERSION } from '../common/spec/generated.js';

const phc = fileURLToPath(new URL('../../bin/phc.mjs', import.meta.url));
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'phc-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [phc, ...args], { encoding: 'utf8' });

test('phc check: exit 0 on good files, 1 with file:line:col diagnostics, 2 on usage errors', () => {
  const good = run('check', join(examples, 'counter.ph'), join(examples, 'graph.ph'));
  assert.equal(good.status, 0, good.stderr);
  const bad = join(dir, 'bad.ph');
  writeFileSync(bad, 'class a {\n  void f() { x = 1; }\n};\n');
  const r = run('check', bad);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim(), `${bad}:2:14: error: unknown variable 'x' [PH341]`);
  assert.equal(run('check').status, 2);
  assert.equal(run('check', join(dir, 'missing.ph')).status, 2);
  assert.equal(run('frobnicate', bad).status, 2);
  assert.equal(run('lsp').status, 2, 'the language server only speaks over stdio');
  assert.match(run('lsp', '--socket', '9000').stderr, /phc lsp --stdio/);
  assert.equal(run('build', bad).status, 2, 'build without -o');
  const unwritable = run('build', join(examples, 'counter.ph'), '-o', join(dir, 'no-such-dir', 'x.phx'));
  assert.equal(unwritable.status, 2);
  assert.match(unwritable.stderr, /cannot write/);
  assert.equal(run('check', dir).status, 2, 'a directory is not a source');
  // node:util parseArgs reads the line: an unknown option or a missing value is a usage error.
  const unknown = run('check', bad, '--fast');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^phc: Unknown option '--fast'/);
  assert.match(run('build', bad, '-o').stderr, /argument missing/);
  assert.match(run('image', join(examples, 'counter.ph'), '-o', join(dir, 'x.img')).stderr, /needs --main/);
  assert.match(
    run('image', join(examples, 'counter.ph'), '--main', '.demo.counter', '--space-bytes', 'lots', '-o', 'x')
      .stderr,
    /--space-bytes takes a positive integer, not lots/,
  );
});

test('phc image takes several --main classes and the --name=value form', () => {
  const out = join(dir, 'two.img');
  const r = run(
    'image',
    join(examples, 'counter.ph'),
    join(examples, 'notes.ph'),
    '--main',
    '.demo.counter',
    '--main=.demo.notes',
    `--output=${out}`,
  );
  assert.equal(r.status, 0, r.stderr);
  const wrong = run(
    'image',
    join(examples, 'counter.ph'),
    '--main',
    '.demo.counter',
    '--main',
    '.demo.none',
    '-o',
    out,
  );
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /\.demo\.none/);
});

test('phc build writes a .phx that reads back as the same program; disasm reads it', () => {
  const out = join(dir, 'notes.phx');
  const r = run('build', join(examples, 'notes.ph'), '-o', out);
  assert.equal(r.status, 0, r.stderr);
  const program = programFromPhx(readFileSync(out, 'utf8'));
  assert.ok(typeof program !== 'string', String(program));
  const direct = compile([
    { file: join(examples, 'notes.ph'), text: readFileSync(join(examples, 'notes.ph'), 'utf8') },
  ]);
  assert.deepEqual(program, direct.program);
  const d = run('disasm', out);
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stdout, /class \.demo\.noteList/);
  assert.match(d.stdout, /CALL_VIRT/);
});

test('.phx reading rejects damaged files with a reason', () => {
  const good = programToPhx(compile([]).program!);
  assert.match(String(programFromPhx('{')), /not JSON/);
  assert.match(String(programFromPhx('{"format":"x"}')), /not a phantom-compiled-program/);
  assert.match(
    String(programFromPhx(good.replace(`"formatVersion":${FORMAT_VERSION}`, '"formatVersion":99'))),
    /format version 99/,
  );
  assert.match(String(programFromPhx(good.replace(/"argc":\d+/, '"argc":"x"'))), /argc: expected an integer/);
  const phx = join(dir, 'broken.phx');
  writeFileSync(phx, '[]');
  const r = run('disasm', phx);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /broken\.phx: error: file: expected an object/);
});

test('base64 round-trips every length', () => {
  for (let n = 0; n < 40; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
    assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
  }
  assert.equal(toBase64(Uint8Array.from([77, 97, 110])), 'TWFu');
  assert.equal(fromBase64('TW!u'), null);
});

test('phc disasm into a reader that closes after 64 bytes ends quietly, status 0', () => {
  const classes = Array.from(
    { length: 1000 },
    (_, i) => `class c${i} {\n  var n : int;\n  int f(var x : int) { return x + n * ${i}; }\n};\n`,
  );
  const big = join(dir, 'big.ph');
  writeFileSync(big, `package .big;\n${classes.join('')}`);
  // Some 300 KB of listing: far more than a pipe holds, so most is written after the reader has gone.
  const piped = spawnSync(
    'bash',
    ['-o', 'pipefail', '-c', `"${process.execPath}" "${phc}" disasm "${big}" | head -c 64`],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(piped.stderr, '');
  assert.equal(piped.stdout, run('disasm', big).stdout.slice(0, 64));
  assert.equal(piped.status, 0);
});
