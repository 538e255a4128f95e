// The debugger's source lookups on lang's counter example: the statement a pc is in (line and
// column), the locals live at a pc, a machine method whose code differs getting no position, and
// breakpoints' statement search by line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compile } from '@phantom/lang/common/compiler.js';
import { lineAt, localsAt, SourceIndex, statementAt } from './dap-sources.js';

const file = join(fileURLToPath(new URL('../../../', import.meta.url)), 'lang/examples/counter.ph');
const { program } = compile([{ file, text: readFileSync(file, 'utf8') }]);
const index = new SourceIndex(program!.classes);
const counter = program!.classes.find((c) => c.name === '.demo.counter')!;
const run = counter.methods.find((m) => m.name === 'run')!;

test('a pc maps to the statement it is in, with its column', () => {
  const found = index.method('.demo.counter', 'run', run.code);
  assert.ok('method' in found);
  assert.equal(found.file, file);
  const starts = run.debug!.statements;
  const sleep = starts.findIndex((_, i) => i % 3 === 1 && starts[i] === 18);
  const pc = starts[sleep - 1]!;
  assert.deepEqual(statementAt(run, pc), { line: 18, column: 7 });
  assert.deepEqual(statementAt(run, pc + 1), { line: 18, column: 7 }, 'inside the statement');
  assert.equal(lineAt(run.lines, pc + 1), 18);
  assert.equal(statementAt(run, -1), undefined);
});

test('code that differs from the source gets no position, saying why', () => {
  const other = new Uint8Array(run.code);
  other[0] = other[0]! ^ 1;
  const found = index.method('.demo.counter', 'run', other);
  assert.ok('problem' in found && /other code/.test(found.problem));
  assert.ok('problem' in index.method('.demo.nothing', 'run', run.code));
  assert.ok('problem' in index.method('.demo.counter', 'nothing', run.code));
});

test('locals live at a pc, and statements by line for breakpoints', () => {
  assert.equal(localsAt(run, 0).size, 0, 'run() has no locals but its receiver');
  assert.deepEqual(
    index.statementsOn(file, 23).map((s) => [s.method, s.column]),
    [['tick', 5]],
  );
  assert.deepEqual(index.statementsOn(file, 2), []);
  assert.deepEqual(index.filesOf(['.demo.counter', '.internal.object']), [file]);
});
