// Every example in lang/examples compiles, becomes a generation-0 store, and runs on the
// reference interpreter with exactly its `.expected` output. The main class of `name.ph` is
// `.demo.name`. A program that ends must print exactly `.expected`; an endless one (counter) is
// compared on its first lines, as many as `.expected` has.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compile } from '../common/compiler.js';
import { buildSpace } from '../common/image/builder.js';
import { Machine } from '../common/interp/machine.js';
import { openStoreImage, writeGeneration0 } from '../common/store/generation0.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
/** Steps between checks of the output, and the most any example may take. */
const CHUNK = 1_000_000;
const MAX_STEPS = 2_000_000_000;

for (const file of readdirSync(examples).filter((f) => f.endsWith('.ph'))) {
  const name = file.slice(0, -3);
  test(`example ${file} prints ${name}.expected on the reference interpreter`, () => {
    const text = readFileSync(join(examples, file), 'utf8');
    const expected = readFileSync(join(examples, `${name}.expected`), 'utf8');
    const { program, diagnostics } = compile([{ file, text }]);
    assert.ok(program, diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
    const space = buildSpace(program, { spaceBytes: 4 << 20, mainClasses: [`.demo.${name}`] });
    const mounted = openStoreImage(writeGeneration0(space)).mount().space;
    let output = '';
    const decoder = new TextDecoder();
    const machine = new Machine(mounted, {
      onOutput: (b) => (output += decoder.decode(b, { stream: true })),
    });
    const lines = expected.split('\n').length - 1;
    let steps = 0;
    let ended = false;
    while (!ended && steps < MAX_STEPS && output.split('\n').length - 1 < lines) {
      const result = machine.run({ maxSteps: CHUNK });
      steps += result.steps;
      ended = result.reason === 'all-ended';
    }
    if (!ended) output = `${output.split('\n').slice(0, lines).join('\n')}\n`;
    assert.equal(output, expected);
  });
}

test('counter.ph resumed from a snapshot taken mid-run goes on counting where it left off', () => {
  const text = readFileSync(join(examples, 'counter.ph'), 'utf8');
  const { program } = compile([{ file: 'counter.ph', text }]);
  assert.ok(program);
  let output = '';
  const decoder = new TextDecoder();
  const collect = (b: Uint8Array) => {
    output += decoder.decode(b);
  };
  const space = buildSpace(program, { spaceBytes: 4 << 20, mainClasses: ['.demo.counter'] });
  const first = new Machine(space, { onOutput: collect });
  assert.equal(first.run({ maxMachineMs: 250 }).reason, 'max-time');
  assert.equal(output, 'tick 1\ntick 2\ntick 3\n');
  const snapshot = openStoreImage(writeGeneration0(first.space.bytes)).mount().space;
  const resumed = new Machine(snapshot, { onOutput: collect });
  assert.equal(resumed.machineMs, 250);
  resumed.run({ maxMachineMs: 450 });
  assert.equal(output, 'tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n');
});
