// Fuzzes the reference interpreter with damaged object spaces: random bytes flipped anywhere in
// a generation 0 built from an example-like program. Every run must end normally or with a
// MachineFault, within its step limit — never another exception, never a hang.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompiledConst } from '../compiled.js';
import { buildSpace } from '../image/builder.js';
import * as L from '../spec/generated.js';
import { program, systemClasses } from './assembler.js';
import { Machine, MachineFault } from './machine.js';

const println: CompiledConst = { kind: 'method', owner: '.internal.io.tty', name: 'println' };
const put: CompiledConst = { kind: 'method', owner: '.internal.directory', name: 'put' };
const root: CompiledConst = { kind: 'method', owner: '.internal.directory', name: 'root' };

/** Builds a list, stores names in the root directory, prints, and throws: most paths of the VM. */
const space = buildSpace(
  program([
    ...systemClasses(),
    { name: '.f.Node', fields: ['value', 'next'] },
    {
      name: '.f.Main',
      methods: [
        {
          name: 'run',
          argc: 1,
          locals: 3,
          consts: [println, { kind: 'class', name: '.f.Node' }, { kind: 'string', value: 'n' }, root, put],
          handlers: [['top', 'end', 'catch', -1]],
          code: `
          top:
            PUSH_INT 50
            STORE 2
          loop:
            NEW 1
            DUP
            LOAD 1
            PUT_FIELD 1
            DUP
            LOAD 2
            PUT_FIELD 0
            STORE 1
            CALL_STATIC 3 0
            PUSH_CONST 2
            LOAD 2
            I2S
            CONCAT
            LOAD 1
            CALL_STATIC 4 3
            LOAD 2
            PUSH_INT 1
            SUB
            DUP
            STORE 2
            JMP_TRUE @loop
            LOAD 1
            GET_FIELD 0
            I2S
            CALL_STATIC 0 1
            PUSH_INT 1
            PUSH_INT 0
            DIV
          end:
            RET_VOID
          catch:
            O2S
            CALL_STATIC 0 1
            RET_VOID`,
        },
      ],
    },
  ]),
  { spaceBytes: L.SPACE_SIZE_MIN, mainClasses: ['.f.Main', '.f.Main'] },
);
const used = new DataView(space.buffer).getUint32(L.SH_TOP, true) - L.SPACE_BASE;

test('the undamaged program runs to the end', () => {
  let output = '';
  const result = new Machine(space.slice(), {
    onOutput: (b) => (output += new TextDecoder().decode(b)),
  }).run();
  assert.equal(result.reason, 'all-ended');
  assert.equal(output, '1\n<.internal.error>\n'.repeat(2));
});

test('1000 damaged spaces end normally or with a MachineFault', () => {
  let seed = 99;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  let faults = 0;
  for (let i = 0; i < 1000; i++) {
    const damaged = space.slice();
    for (let k = 1 + rand(4); k > 0; k--) {
      const at = rand(used);
      damaged[at] = rand(3) === 0 ? rand(256) : damaged[at]! ^ (1 << rand(8));
    }
    try {
      new Machine(damaged).run({ maxSteps: 20_000, maxMachineMs: 1000 });
    } catch (err) {
      if (!(err instanceof MachineFault)) assert.fail(`case ${i}: ${(err as Error).stack}`);
      faults++;
    }
  }
  assert.ok(faults > 0, 'some damage is detected');
});
