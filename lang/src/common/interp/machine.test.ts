// Reference interpreter tests on hand-assembled programs: every opcode's semantics, calls,
// exceptions and the uncaught-error line, threads and the virtual clock, natives, the collector,
// and snapshots taken mid-run that continue exactly like an uninterrupted run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CompiledConst } from '../compiled.js';
import { buildSpace } from '../image/builder.js';
import { intOf, smallInt } from '../image/space.js';
import * as L from '../spec/generated.js';
import { openStoreImage, writeGeneration0 } from '../store/generation0.js';
import { type ClassSpec, type MethodSpec, program, systemClasses } from './assembler.js';
import { Machine, MachineFault, type RunLimits } from './machine.js';
import { DEBUGGER_ENTRY } from './natives.js';

const tty = (name: 'print' | 'println'): CompiledConst => ({
  kind: 'method',
  owner: '.internal.io.tty',
  name,
});
const native = (owner: string, name: string): CompiledConst => ({
  kind: 'method',
  owner: `.internal.${owner}`,
  name,
});
const str = (value: string): CompiledConst => ({ kind: 'string', value });
const cls = (name: string): CompiledConst => ({ kind: 'class', name });
const meth = (owner: string, name: string): CompiledConst => ({ kind: 'method', owner, name });

interface Run {
  output: string;
  machine: Machine;
  reason: string;
}

function load(classes: ClassSpec[], main: string[] = ['.t.Main'], spaceBytes = L.SPACE_SIZE_MIN): Uint8Array {
  return buildSpace(program([...systemClasses(), ...classes]), { spaceBytes, mainClasses: main });
}

function start(space: Uint8Array, limits: RunLimits = { maxSteps: 5_000_000 }): Run {
  let output = '';
  const decoder = new TextDecoder();
  const machine = new Machine(space, { onOutput: (b) => (output += decoder.decode(b)) });
  const { reason } = machine.run(limits);
  return { output, machine, reason };
}

function run(classes: ClassSpec[], limits?: RunLimits, main?: string[], spaceBytes?: number): Run {
  return start(load(classes, main, spaceBytes), limits);
}

/** A main class whose run() is `code` with the given constants; println is always const 0. */
function mainWith(code: string, consts: CompiledConst[] = [], extra: Partial<MethodSpec> = {}): ClassSpec {
  return {
    name: '.t.Main',
    methods: [{ name: 'run', argc: 1, locals: 4, consts: [tty('println'), ...consts], code, ...extra }],
  };
}

/** Code printing the integer on top of the stack. */
const PRINT_INT = 'I2S\nCALL_STATIC 0 1';

test('integer arithmetic wraps to 31 bits and matches the opcode table', () => {
  const cases: [string, number, number, number][] = [
    ['ADD', 1073741823, 1, -1073741824],
    ['SUB', -1073741824, 1, 1073741823],
    ['MUL', 65536, 32768, 0],
    ['MUL', 65536, 16384, -1073741824],
    ['MUL', -7, 6, -42],
    ['DIV', 7, -2, -3],
    ['DIV', -7, 2, -3],
    ['DIV', -1073741824, -1, -1073741824],
    ['MOD', -7, 2, -1],
    ['MOD', 7, -2, 1],
    ['BAND', 12, 10, 8],
    ['BOR', 12, 10, 14],
    ['BXOR', 12, 10, 6],
    ['SHL', 1, 30, -1073741824],
    ['SHL', 3, 33, 6],
    ['SHR', -16, 2, -4],
    ['SHR', 1073741823, 29, 1],
    ['LT', -1, 0, 1],
    ['LE', 3, 3, 1],
    ['GT', 3, 3, 0],
    ['GE', -5, -6, 1],
    ['EQ', 5, 5, 1],
    ['NE', 5, 5, 0],
  ];
  const code = cases.map(([op, a, b]) => `PUSH_INT ${a}\nPUSH_INT ${b}\n${op}\n${PRINT_INT}`).join('\n');
  const unary =
    'PUSH_INT -1073741824\nNEG\nI2S\nCALL_STATIC 0 1\nPUSH_INT 5\nBNOT\nI2S\nCALL_STATIC 0 1\nPUSH_INT 0\nNOT\nB2S\nCALL_STATIC 0 1';
  const { output } = run([mainWith(`${code}\n${unary}\nRET_VOID`)]);
  assert.equal(output, `${cases.map((c) => c[3]).join('\n')}\n-1073741824\n-6\ntrue\n`);
});

test('stack and local opcodes, jumps, string conversions', () => {
  const { output } = run([
    mainWith(
      `PUSH_INT 4
       STORE 1
     loop:
       LOAD 1
       JMP_FALSE @done
       LOAD 1
       PUSH_INT 1
       SUB
       DUP
       STORE 1
       ${PRINT_INT}
       JMP @loop
     done:
       PUSH_INT 1
       PUSH_INT 2
       DUP2
       ADD
       ADD
       ADD
       ${PRINT_INT}
       PUSH_CONST 1
       PUSH_NULL
       CONCAT
       O2S
       CALL_STATIC 0 1
       NOP
       PUSH_NULL
       O2S
       LOAD 0
       O2S
       CONCAT
       CALL_STATIC 0 1
       PUSH_INT 1
       JMP_TRUE @end
       PUSH_CONST 1
       CALL_STATIC 0 1
     end:
       RET_VOID`,
      [str('héllo ')],
    ),
  ]);
  assert.equal(output, '3\n2\n1\n0\n6\nhéllo null\nnull<.t.Main>\n');
});

test('objects: constructors, fields, virtual dispatch with overrides, super calls, casts', () => {
  const classes: ClassSpec[] = [
    {
      name: '.t.Animal',
      fields: ['legs'],
      methods: [
        { name: '<init>', argc: 2, code: 'LOAD 0\nLOAD 1\nPUT_FIELD 0\nRET_VOID' },
        { name: 'sound', argc: 1, returns: true, consts: [str('...')], code: 'PUSH_CONST 0\nRET' },
        {
          name: 'describe',
          argc: 1,
          returns: true,
          consts: [str(' legs, says ')],
          code: 'LOAD 0\nGET_FIELD 0\nI2S\nPUSH_CONST 0\nCONCAT\nLOAD 0\nCALL_VIRT 1 1\nCONCAT\nRET',
        },
      ],
    },
    {
      name: '.t.Dog',
      superName: '.t.Animal',
      fields: ['name'],
      methods: [
        {
          name: '<init>',
          argc: 1,
          consts: [meth('.t.Animal', '<init>'), str('rex')],
          code: 'LOAD 0\nPUSH_INT 4\nCALL_STATIC 0 2\nLOAD 0\nPUSH_CONST 1\nPUT_FIELD 1\nRET_VOID',
        },
        {
          name: 'sound',
          argc: 1,
          returns: true,
          consts: [str('woof, not '), meth('.t.Animal', 'sound')],
          code: 'PUSH_CONST 0\nLOAD 0\nCALL_STATIC 1 1\nCONCAT\nRET',
        },
      ],
    },
    mainWith(
      `NEW 1
       DUP
       CALL_STATIC 2 1
       STORE 1
       LOAD 1
       CALL_VIRT 2 1
       CALL_STATIC 0 1
       LOAD 1
       GET_FIELD 1
       CALL_STATIC 0 1
       LOAD 1
       INSTANCEOF 3
       B2S
       CALL_STATIC 0 1
       LOAD 0
       INSTANCEOF 3
       B2S
       CALL_STATIC 0 1
       PUSH_NULL
       INSTANCEOF 3
       B2S
       CALL_STATIC 0 1
       LOAD 1
       CHECKCAST 3
       CALL_VIRT 0 1
       CALL_STATIC 0 1
       PUSH_NULL
       CHECKCAST 1
       O2S
       CALL_STATIC 0 1
       LOAD 0
       CHECKCAST 1
       RET_VOID`,
      [cls('.t.Dog'), meth('.t.Dog', '<init>'), cls('.t.Animal')],
      { lines: [] },
    ),
  ];
  const { output, machine } = run(classes);
  assert.equal(
    output,
    '4 legs, says woof, not ...\nrex\ntrue\nfalse\nfalse\n.t.Dog\nnull\n*** thread 1: uncaught .internal.error: BadCast\n',
  );
  const thread = machine.space.slot(machine.rootSlot(L.ROOT_THREADS), L.THREAD_STATE);
  assert.equal(intOf(thread), L.TS_FAILED);
});

test('arrays: new, load, store, length, bounds, negative length', () => {
  const { output } = run([
    mainWith(
      `PUSH_INT 3
       NEW_ARRAY 1
       STORE 1
       LOAD 1
       PUSH_INT 2
       PUSH_INT 42
       ASTORE
       LOAD 1
       PUSH_INT 2
       ALOAD
       ${PRINT_INT}
       LOAD 1
       ALEN
       ${PRINT_INT}
       LOAD 1
       PUSH_INT 0
       ALOAD
       ${PRINT_INT}
     try:
       LOAD 1
       PUSH_INT 3
       ALOAD
       POP
     tryEnd:
       RET_VOID
     catch:
       CALL_VIRT 0 1
       CALL_STATIC 0 1
       PUSH_INT -1
       NEW_ARRAY 1
       RET_VOID`,
      [cls('int[]')],
      { handlers: [['try', 'tryEnd', 'catch', -1]], lines: [['try', 10]] },
    ),
  ]);
  assert.equal(
    output,
    '42\n3\n0\n.internal.error\n*** thread 1: uncaught .internal.error: BadArgument (at .t.Main.run line 10)\n',
  );
});

test('no bytecode writes a system object or stores into an array what its class does not admit (as the kernel)', () => {
  const uncaught = (name: string) => `*** thread 1: uncaught .internal.error: ${name}\n`;
  // t = thread.current(); t.THREAD_NEXT = t: the self-link that made thread.start loop for ever
  const link = run([
    mainWith(`CALL_STATIC 1 0\nDUP\nPUT_FIELD ${L.THREAD_NEXT}\nRET_VOID`, [native('thread', 'current')]),
  ]);
  assert.equal(link.output, uncaught('BadField'));
  assert.equal(link.machine.space.slot(link.machine.rootSlot(L.ROOT_THREADS), L.THREAD_NEXT), 0);
  // an error's message, written by a method that is not .internal.error's
  const message = `NEW 1\nDUP\nPUSH_CONST 2\nPUT_FIELD ${L.ERROR_MESSAGE}\nRET_VOID`;
  assert.equal(
    run([mainWith(message, [cls('.internal.error'), str('changed')])]).output,
    uncaught('BadField'),
  );
  // a[0] = value for arrays of each kind of class
  const store = (arrayClass: string, value: string, consts: CompiledConst[] = []) =>
    run([
      { name: '.t.Dog' },
      mainWith(
        `PUSH_INT 1\nNEW_ARRAY 1\nPUSH_INT 0\n${value}\nASTORE\nPUSH_CONST 2\nCALL_STATIC 0 1\nRET_VOID`,
        [cls(arrayClass), str('stored'), ...consts],
      ),
    ]).output;
  const dog = ['NEW 3', [cls('.t.Dog')]] as const;
  assert.equal(store('.t.Dog[]', dog[0], [...dog[1]]), 'stored\n');
  assert.equal(store('.t.Dog[]', 'PUSH_CONST 2'), uncaught('ArrayStore'));
  assert.equal(store('.t.Dog[]', 'PUSH_NULL'), 'stored\n');
  assert.equal(store('.internal.object[]', 'PUSH_INT 7'), uncaught('ArrayStore'));
  assert.equal(store('int[]', 'PUSH_CONST 2'), uncaught('ArrayStore'));
  assert.equal(store('int[]', 'PUSH_INT 7'), 'stored\n');
  assert.equal(store('boolean[]', 'PUSH_INT 7'), uncaught('ArrayStore'));
  assert.equal(store('boolean[]', 'PUSH_INT 1'), 'stored\n');
  assert.equal(store('.internal.array', 'PUSH_NULL'), uncaught('ArrayStore'));
  // an array's slots are elements, stored by ASTORE only
  const slot = 'PUSH_INT 1\nNEW_ARRAY 1\nPUSH_CONST 2\nPUT_FIELD 0\nRET_VOID';
  assert.equal(run([mainWith(slot, [cls('int[]'), str('x')])]).output, uncaught('BadField'));
});

test('ALOAD, ASTORE and ALEN take arrays and integer indexes only, else BadCast (as the kernel)', () => {
  const uncaught = (name: string) => `*** thread 1: uncaught .internal.error: ${name}\n`;
  const ok = 'PUSH_CONST 2\nCALL_STATIC 0 1\nRET_VOID';
  // a program object is a slots object, but no array: before, ALOAD and ALEN read its fields as elements
  const dog = { name: '.t.Dog', fields: ['a', 'b'] };
  const withDog = (tail: string) =>
    run([dog, mainWith(`NEW 1\n${tail}\n${ok}`, [cls('.t.Dog'), str('read')])]).output;
  assert.equal(withDog('PUSH_INT 0\nALOAD\nPOP'), uncaught('BadCast'));
  assert.equal(withDog('ALEN\nPOP'), uncaught('BadCast'));
  assert.equal(withDog('PUSH_INT 0\nPUSH_NULL\nASTORE'), uncaught('BadCast'));
  // a reference as the index of a real array
  const array = 'PUSH_INT 2\nNEW_ARRAY 1\n';
  const index = (tail: string) =>
    run([mainWith(`${array}${tail}\n${ok}`, [cls('.internal.object[]'), str('read')])]);
  assert.equal(index('PUSH_CONST 2\nALOAD\nPOP').output, uncaught('BadCast'));
  assert.equal(index('PUSH_CONST 2\nPUSH_NULL\nASTORE').output, uncaught('BadCast'));
  assert.equal(index('ALEN\nPOP').output, 'read\n');
});

test('exceptions: typed handlers, unwinding through callers, rethrow, and the exact uncaught line', () => {
  const classes: ClassSpec[] = [
    {
      name: '.t.Oops',
      superName: '.internal.error',
      methods: [],
    },
    {
      name: '.t.Thrower',
      methods: [
        {
          name: 'fail',
          argc: 1,
          consts: [cls('.t.Oops'), str('custom message'), meth('.internal.error', '<init>')],
          code: 'NEW 0\nDUP\nPUSH_CONST 1\nCALL_STATIC 2 2\nTHROW',
          isStatic: true,
          lines: [],
        },
        {
          name: 'divide',
          argc: 2,
          returns: true,
          isStatic: true,
          code: 'PUSH_INT 10\nLOAD 1\nDIV\nRET',
          lines: [],
        },
      ],
    },
    {
      name: '.t.Main',
      methods: [
        {
          name: 'run',
          argc: 1,
          locals: 2,
          consts: [
            tty('println'),
            meth('.t.Thrower', 'fail'),
            cls('.t.Oops'),
            meth('.t.Thrower', 'divide'),
            native('object', 'className'),
          ],
          handlers: [
            ['a', 'aEnd', 'oops', 2],
            ['a', 'aEnd', 'any', -1],
          ],
          lines: [
            ['start', 5],
            ['b', 9],
          ],
          code: `
          start:
          a:
            PUSH_INT 0
            CALL_STATIC 1 1
          aEnd:
            RET_VOID
          any:
            POP
            RET_VOID
          oops:
            CALL_VIRT 0 1
            CALL_STATIC 0 1
            PUSH_INT 7
          b:
            PUSH_INT 0
            CALL_STATIC 3 2
            RET_VOID`,
        },
      ],
    },
  ];
  // The handler for .t.Oops is listed first (innermost), so it catches; the catch-all does not run.
  const { output } = run(classes);
  assert.equal(output, '.t.Oops\n*** thread 1: uncaught .internal.error: DivideByZero\n');
  const { output: top } = run([
    classes[0]!,
    classes[1]!,
    mainWith('PUSH_INT 0\nCALL_STATIC 1 1\nRET_VOID', [meth('.t.Thrower', 'fail')], {
      lines: [
        ['l0', 1],
        ['l1', 2],
      ],
      code: 'l0:\nPUSH_INT 0\nl1:\nCALL_STATIC 1 1\nRET_VOID',
    }),
  ]);
  assert.equal(top, '*** thread 1: uncaught .t.Oops: custom message\n');
  const { output: plain } = run([
    { name: '.t.Thing' },
    mainWith('NEW 1\nTHROW', [cls('.t.Thing')], { lines: [['x', 3]], code: 'x:\nNEW 1\nTHROW' }),
  ]);
  assert.equal(plain, '*** thread 1: uncaught .t.Thing: <.t.Thing> (at .t.Main.run line 3)\n');
});

test('an uncaught error ends only its thread; the others go on', () => {
  const worker = (name: string, code: string): ClassSpec => ({
    name,
    methods: [{ name: 'run', argc: 1, locals: 2, consts: [tty('println'), str(name)], code }],
  });
  const { output, machine } = run(
    [
      worker('.t.A', 'PUSH_NULL\nGET_FIELD 0\nRET_VOID'),
      worker('.t.B', 'PUSH_CONST 1\nCALL_STATIC 0 1\nRET_VOID'),
    ],
    undefined,
    ['.t.A', '.t.B'],
  );
  assert.equal(output, '*** thread 1: uncaught .internal.error: NullReference\n.t.B\n');
  const t1 = machine.rootSlot(L.ROOT_THREADS);
  const t2 = machine.space.slot(t1, L.THREAD_NEXT);
  assert.equal(intOf(machine.space.slot(t1, L.THREAD_STATE)), L.TS_FAILED);
  assert.notEqual(machine.space.slot(t1, L.THREAD_ERROR), 0);
  assert.equal(intOf(machine.space.slot(t2, L.THREAD_STATE)), L.TS_DONE);
  assert.equal(machine.space.slot(t2, L.THREAD_FRAME), 0);
});

test('deep recursion raises StackOverflow at MAX_FRAME_DEPTH', () => {
  const { output } = run(
    [
      {
        name: '.t.Main',
        methods: [
          {
            name: 'run',
            argc: 1,
            consts: [meth('.t.Main', 'down')],
            code: 'LOAD 0\nCALL_STATIC 0 1\nRET_VOID',
          },
          {
            name: 'down',
            argc: 1,
            consts: [meth('.t.Main', 'down')],
            code: 'LOAD 0\nCALL_STATIC 0 1\nRET_VOID',
          },
        ],
      },
    ],
    undefined,
    undefined,
    4 << 20,
  );
  assert.equal(output, '*** thread 1: uncaught .internal.error: StackOverflow\n');
});

/** A worker that prints its name and uptime `times` times, sleeping `ms` between. */
function sleeper(name: string, ms: number, times: number): ClassSpec {
  return {
    name,
    methods: [
      {
        name: 'run',
        argc: 1,
        locals: 2,
        consts: [tty('println'), str(`${name} at `), native('time', 'uptime'), native('time', 'sleep')],
        code: `
          PUSH_INT ${times}
          STORE 1
        top:
          LOAD 1
          JMP_FALSE @end
          PUSH_CONST 1
          CALL_STATIC 2 0
          I2S
          CONCAT
          CALL_STATIC 0 1
          PUSH_INT ${ms}
          CALL_STATIC 3 1
          LOAD 1
          PUSH_INT 1
          SUB
          STORE 1
          JMP @top
        end:
          RET_VOID`,
      },
    ],
  };
}

test('sleep advances a virtual clock: deterministic interleaving, and max machine time stops the run', () => {
  const classes = [sleeper('.t.Fast', 100, 4), sleeper('.t.Slow', 150, 3)];
  const { output, machine, reason } = run(classes, undefined, ['.t.Fast', '.t.Slow']);
  assert.equal(reason, 'all-ended');
  assert.equal(
    output,
    [
      '.t.Fast at 0',
      '.t.Slow at 0',
      '.t.Fast at 100',
      '.t.Slow at 150',
      '.t.Fast at 200',
      // Both wake at 300; Fast slept last, so the round-robin resumes after it, with Slow.
      '.t.Slow at 300',
      '.t.Fast at 300',
      '',
    ].join('\n'),
  );
  assert.equal(machine.machineMs, 450);
  const limited = run(classes, { maxMachineMs: 200 }, ['.t.Fast', '.t.Slow']);
  assert.equal(limited.reason, 'max-time');
  assert.equal(limited.output.split('\n').length - 1, 5);
  assert.equal(limited.machine.machineMs, 200);
  assert.equal(intOf(limited.machine.rootSlot(L.ROOT_CLOCK)), 200);
});

test('thread.start runs target.run() on a new thread; yield interleaves; current, id, isAlive', () => {
  const { output } = run([
    {
      name: '.t.Worker',
      methods: [
        {
          name: 'run',
          argc: 1,
          consts: [
            tty('println'),
            str('worker '),
            native('thread', 'current'),
            native('thread', 'id'),
            native('thread', 'yield'),
          ],
          code: 'PUSH_CONST 1\nCALL_STATIC 2 0\nCALL_STATIC 3 1\nI2S\nCONCAT\nCALL_STATIC 0 1\nCALL_STATIC 4 0\nPUSH_CONST 1\nCALL_STATIC 0 1\nRET_VOID',
        },
      ],
    },
    mainWith(
      `NEW 1
       CALL_STATIC 2 1
       STORE 1
       PUSH_CONST 3
       CALL_STATIC 0 1
       CALL_STATIC 4 0
       LOAD 1
       CALL_STATIC 5 1
       B2S
       CALL_STATIC 0 1
       CALL_STATIC 4 0
       LOAD 1
       CALL_STATIC 5 1
       B2S
       CALL_STATIC 0 1
       PUSH_CONST 3
       CALL_STATIC 2 1
       RET_VOID`,
      [
        cls('.t.Worker'),
        native('thread', 'start'),
        str('main'),
        native('thread', 'yield'),
        native('thread', 'isAlive'),
      ],
    ),
  ]);
  assert.equal(
    output,
    'main\nworker 2\ntrue\nworker \nfalse\n*** thread 1: uncaught .internal.error: NoRunMethod\n',
  );
});

test('round-robin preemption after TIME_SLICE instructions', () => {
  const spinner = (name: string): ClassSpec => ({
    name,
    methods: [
      {
        name: 'run',
        argc: 1,
        locals: 2,
        consts: [tty('println'), str(name)],
        code: `PUSH_INT 3
             STORE 1
           outer:
             LOAD 1
             JMP_FALSE @end
             PUSH_INT 2000
           spin:
             PUSH_INT 1
             SUB
             DUP
             JMP_TRUE @spin
             POP
             PUSH_CONST 1
             CALL_STATIC 0 1
             LOAD 1
             PUSH_INT 1
             SUB
             STORE 1
             JMP @outer
           end:
             RET_VOID`,
      },
    ],
  });
  const { output, machine } = run([spinner('.t.A'), spinner('.t.B')], undefined, ['.t.A', '.t.B']);
  // 8011 instructions per line: A prints once per slice of 10000, then B runs.
  assert.equal(output, '.t.A\n.t.B\n.t.A\n.t.B\n.t.A\n.t.B\n');
  const boot = 3; // NEW, CALL_VIRT run, RET_VOID
  assert.equal(machine.steps, 2 * (boot + 2 + 3 * (2 + 1 + 4 * 2000 + 3 + 5) + 3));
});

test('directory natives: put, get, has, remove, keys, size; root directory persists in the space', () => {
  const d = (name: string) => native('directory', name);
  const { output, machine } = run([
    mainWith(
      `CALL_STATIC 1 0
       STORE 1
       PUSH_INT 0
       STORE 2
     fill:
       LOAD 1
       PUSH_CONST 2
       LOAD 2
       I2S
       CONCAT
       LOAD 2
       CALL_STATIC 3 3
       LOAD 2
       PUSH_INT 1
       ADD
       DUP
       STORE 2
       PUSH_INT 20
       LT
       JMP_TRUE @fill
       LOAD 1
       PUSH_CONST 2
       PUSH_INT 3
       I2S
       CONCAT
       PUSH_CONST 9
       CALL_STATIC 3 3
       LOAD 1
       PUSH_CONST 10
       CALL_STATIC 4 2
       CALL_STATIC 0 1
       LOAD 1
       PUSH_CONST 11
       CALL_STATIC 5 2
       B2S
       CALL_STATIC 0 1
       LOAD 1
       PUSH_CONST 11
       CALL_STATIC 5 2
       B2S
       CALL_STATIC 0 1
       LOAD 1
       PUSH_NULL
       CALL_STATIC 6 2
       B2S
       CALL_STATIC 0 1
       LOAD 1
       CALL_STATIC 7 1
       ${PRINT_INT}
       LOAD 1
       CALL_STATIC 8 1
       DUP
       PUSH_INT 0
       ALOAD
       CALL_STATIC 0 1
       PUSH_INT 18
       ALOAD
       CALL_STATIC 0 1
       LOAD 1
       PUSH_NULL
       PUSH_NULL
       CALL_STATIC 3 3
       RET_VOID`,
      [
        d('root'),
        str('k'),
        d('put'),
        d('get'),
        d('remove'),
        d('has'),
        d('size'),
        d('keys'),
        str('three'),
        str('k3'),
        str('k0'),
      ],
    ),
  ]);
  assert.equal(
    output,
    'three\ntrue\nfalse\nfalse\n19\nk1\nk19\n*** thread 1: uncaught .internal.error: NullReference\n',
  );
  const dir = machine.rootSlot(L.ROOT_DIRECTORY);
  assert.equal(intOf(machine.space.slot(dir, L.DIR_COUNT)), 19);
  const firstKey = machine.space.slot(machine.space.slot(dir, L.DIR_KEYS), 0);
  assert.equal(machine.space.text(firstKey), 'k1');
});

test("the root directory's $debugger entry is not the programs': hidden, and its name reserved", () => {
  const d = (name: string) => native('directory', name);
  const machineOf = new Machine(
    load([
      mainWith(
        `CALL_STATIC 1 0
         STORE 1
         LOAD 1
         CALL_STATIC 6 1
         ${PRINT_INT}
         LOAD 1
         PUSH_CONST 2
         CALL_STATIC 5 2
         B2S
         CALL_STATIC 0 1
         LOAD 1
         PUSH_CONST 2
         CALL_STATIC 4 2
         B2S
         CALL_STATIC 0 1
         LOAD 1
         CALL_STATIC 7 1
         ALEN
         ${PRINT_INT}
         LOAD 1
         PUSH_CONST 2
         PUSH_NULL
         CALL_STATIC 3 3
         RET_VOID`,
        [d('root'), str('$debugger'), d('put'), d('remove'), d('has'), d('size'), d('keys')],
      ),
    ]),
    { onOutput: (b) => (output += new TextDecoder().decode(b)) },
  );
  let output = '';
  // The entry the kernel's debugger makes (its state: one VM-owned array), put there as it does.
  const s = machineOf.space;
  const dir = machineOf.rootSlot(L.ROOT_DIRECTORY);
  const state = machineOf.newArray(machineOf.internalClass(L.CID_ARRAY), 3);
  const name = machineOf.newString(DEBUGGER_ENTRY);
  s.setSlot(s.slot(dir, L.DIR_KEYS), 0, name);
  s.setSlot(s.slot(dir, L.DIR_VALUES), 0, state);
  s.setSlot(dir, L.DIR_COUNT, smallInt(1));
  machineOf.run({ maxSteps: 100_000 });
  assert.equal(output, '0\nfalse\nfalse\n0\n*** thread 1: uncaught .internal.error: BadArgument\n');
  assert.equal(intOf(s.slot(dir, L.DIR_COUNT)), 1, 'the entry is still there');
  assert.equal(s.slot(s.slot(dir, L.DIR_VALUES), 0), state);
});

test('string and array natives', () => {
  const s = (name: string) => native('string', name);
  const a = (name: string) => native('array', name);
  const { output } = run([
    mainWith(
      `PUSH_CONST 1
       STORE 1
       LOAD 1
       CALL_STATIC 2 1
       ${PRINT_INT}
       LOAD 1
       PUSH_INT 1
       CALL_STATIC 3 2
       ${PRINT_INT}
       LOAD 1
       PUSH_INT 1
       PUSH_INT 4
       CALL_STATIC 4 3
       CALL_STATIC 0 1
       LOAD 1
       PUSH_CONST 5
       CALL_STATIC 6 2
       ${PRINT_INT}
       LOAD 1
       PUSH_CONST 7
       CALL_STATIC 6 2
       ${PRINT_INT}
       LOAD 1
       PUSH_CONST 1
       CALL_STATIC 8 2
       B2S
       CALL_STATIC 0 1
       LOAD 1
       PUSH_NULL
       CALL_STATIC 8 2
       B2S
       CALL_STATIC 0 1
       PUSH_CONST 5
       PUSH_CONST 7
       CALL_STATIC 9 2
       ${PRINT_INT}
       LOAD 1
       PUSH_CONST 5
       CALL_STATIC 9 2
       ${PRINT_INT}
       PUSH_CONST 1
       CALL_STATIC 10 1
       ${PRINT_INT}
       PUSH_CONST 11
       CALL_STATIC 12 1
       ${PRINT_INT}
       PUSH_INT 321
       CALL_STATIC 13 1
       CALL_STATIC 0 1
       PUSH_INT 5
       NEW_ARRAY 17
       STORE 2
       LOAD 2
       PUSH_INT 0
       PUSH_INT 7
       ASTORE
       LOAD 2
       PUSH_INT 1
       PUSH_INT 8
       ASTORE
       LOAD 2
       PUSH_INT 0
       LOAD 2
       PUSH_INT 1
       PUSH_INT 3
       CALL_STATIC 14 5
       LOAD 2
       PUSH_INT 2
       ALOAD
       ${PRINT_INT}
       LOAD 2
       PUSH_INT 2
       CALL_STATIC 15 2
       DUP
       ALEN
       ${PRINT_INT}
       PUSH_INT 1
       ALOAD
       ${PRINT_INT}
       PUSH_CONST 16
       CALL_STATIC 12 1
       RET_VOID`,
      [
        str('hello'),
        s('length'),
        s('charAt'),
        s('substring'),
        str('llo'),
        s('indexOf'),
        str('xyz'),
        s('equals'),
        s('compareTo'),
        s('hash'),
        str('-1234'),
        s('toInt'),
        s('fromChar'),
        a('copy'),
        a('resize'),
        str('12x'),
        cls('int[]'),
      ],
    ),
  ]);
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode('hello')) h = Math.imul(h ^ b, 0x01000193);
  h >>>= 0;
  const hash = ((h >>> 30) ^ h) & 0x3fffffff;
  assert.equal(
    output,
    `5\n101\nell\n2\n-1\ntrue\nfalse\n-12\n-4\n${hash}\n-1234\nA\n8\n2\n7\n*** thread 1: uncaught .internal.error: BadArgument\n`,
  );
});

/** A program that builds a 1000-node list while allocating garbage, then sums it. */
function churn(rounds: number, keepAll: boolean): ClassSpec[] {
  return [
    { name: '.t.Node', fields: ['value', 'next'] },
    mainWith(
      `PUSH_INT 0
       STORE 2
     build:
       NEW 1
       DUP
       LOAD 2
       PUT_FIELD 0
       DUP
       LOAD 1
       PUT_FIELD 1
       STORE 1
       PUSH_INT ${rounds}
       STORE 3
     waste:
       PUSH_INT 20
       NEW_ARRAY 2
       ${keepAll ? 'LOAD 1\nSWAPLESS' : 'POP'}
       LOAD 3
       PUSH_INT 1
       SUB
       DUP
       STORE 3
       JMP_TRUE @waste
       LOAD 2
       PUSH_INT 1
       ADD
       DUP
       STORE 2
       PUSH_INT 1000
       LT
       JMP_TRUE @build
       PUSH_INT 0
       STORE 2
     sum:
       LOAD 1
       JMP_FALSE @done
       LOAD 2
       LOAD 1
       GET_FIELD 0
       ADD
       STORE 2
       LOAD 1
       GET_FIELD 1
       STORE 1
       JMP @sum
     done:
       LOAD 2
       ${PRINT_INT}
       RET_VOID`.replace('LOAD 1\nSWAPLESS', 'STORE 1'),
      [cls('.t.Node'), cls('int[]')],
    ),
  ];
}

test('the collector frees garbage so long runs fit in a small space; live objects survive', () => {
  const { output, machine } = run(churn(100, false), { maxSteps: 50_000_000 });
  assert.equal(output, `${(999 * 1000) / 2}\n`);
  assert.ok(machine.heap.collections > 0, 'the run needed collections');
  // After a collection every object is unmarked and the heap walks cleanly to SH_TOP.
  machine.heap.collect();
  const s = machine.space;
  let addr = L.SPACE_BASE + L.SPACE_HEADER_BYTES;
  let objects = 0;
  while (addr < s.headerField(L.SH_TOP)) {
    const ref = addr + 1;
    assert.equal(s.words[s.headerIndex(ref) + 2]! & L.FLAG_MARK, 0);
    if (s.kindOf(ref) !== L.KIND_FREE) objects++;
    addr += L.HEADER_BYTES + ((s.payloadBytes(ref) + 3) & ~3);
  }
  assert.equal(addr, s.headerField(L.SH_TOP));
  assert.equal(objects, s.headerField(L.SH_OBJECTS));
});

test('running out of memory raises OutOfMemory in the thread; the machine goes on', () => {
  const { output, reason } = run(
    [
      {
        name: '.t.Hog',
        methods: [
          {
            name: 'run',
            argc: 1,
            locals: 2,
            consts: [cls('.internal.object[]')],
            code: `PUSH_NULL
                   STORE 1
                 grow:
                   PUSH_INT 2
                   NEW_ARRAY 0
                   DUP
                   PUSH_INT 0
                   LOAD 1
                   ASTORE
                   STORE 1
                   JMP @grow`,
          },
        ],
      },
      sleeper('.t.After', 10, 2),
    ],
    { maxSteps: 50_000_000 },
    ['.t.Hog', '.t.After'],
  );
  assert.equal(reason, 'all-ended');
  assert.match(output, /^\*\*\* thread 1: uncaught \.internal\.error: OutOfMemory\n/m);
  // The hog's instructions move the clock too, so After starts late, but it sleeps its 10 ms.
  const times = [...output.matchAll(/^\.t\.After at (\d+)$/gm)].map((m) => Number(m[1]));
  assert.equal(times.length, 2);
  assert.equal(times[1]! - times[0]!, 10);
});

test('a snapshot taken mid-run (through a store) continues exactly like an uninterrupted run', () => {
  const classes = [sleeper('.t.Fast', 100, 6), sleeper('.t.Slow', 150, 4), ...churn(30, false)];
  classes[3] = { ...classes[3]!, name: '.t.Main' };
  const mains = ['.t.Fast', '.t.Slow', '.t.Main'];
  const whole = run(classes, { maxSteps: 50_000_000 }, mains);
  for (const cut of [1, 5, 999, 10_000, 123_457]) {
    const first = run(classes, { maxSteps: cut }, mains);
    assert.equal(first.reason, 'max-steps');
    const store = writeGeneration0(first.machine.space.bytes);
    const resumed = start(openStoreImage(store).mount().space, { maxSteps: 50_000_000 });
    assert.equal(first.output + resumed.output, whole.output, `cut after ${cut} steps`);
    assert.equal(resumed.machine.machineMs, whole.machine.machineMs);
  }
});

test('a run paused anywhere (pauseAtStep, probe) and resumed is the run that never paused', () => {
  const classes = [sleeper('.t.Fast', 100, 6), sleeper('.t.Slow', 150, 4), ...churn(30, false)];
  classes[3] = { ...classes[3]!, name: '.t.Main' };
  const mains = ['.t.Fast', '.t.Slow', '.t.Main'];
  const whole = run(classes, { maxSteps: 50_000_000 }, mains);
  assert.equal(whole.reason, 'all-ended');
  // Pauses at odd places, many inside turns (TIME_SLICE is 10,000), a probe on every ADD.
  const space = load(classes, mains);
  let output = '';
  const decoder = new TextDecoder();
  const machine = new Machine(space, { onOutput: (b) => (output += decoder.decode(b)) });
  const probe = new Uint8Array(space.length);
  for (let i = 0; i < space.length; i++) if (space[i] === L.OP_ADD) probe[i] = 1;
  let pauses = 0;
  let probes = 0;
  let saved: { state: ReturnType<Machine['saveState']>; bytes: Uint8Array; output: string } | undefined;
  // Before the first allocation: the next one opens an epoch, which the state must carry.
  const atStart = { state: machine.saveState(), bytes: space.slice() };
  for (let at = 7; ; at += 1 + ((at * 7919) % 3_001)) {
    const r = machine.run({ pauseAtStep: at, probe: pauses % 3 === 0 ? probe : undefined });
    if (r.reason === 'all-ended') break;
    if (r.reason === 'probe') probes++;
    else assert.equal(r.reason, 'paused');
    pauses++;
    if (pauses === 40) saved = { state: machine.saveState(), bytes: space.slice(), output };
  }
  assert.ok(pauses > 100 && probes > 30, `${pauses} pauses, ${probes} probe stops`);
  assert.equal(output, whole.output);
  assert.equal(machine.machineMs, whole.machine.machineMs);
  assert.deepEqual(space, whole.machine.space.bytes);
  // A saved state with its space goes on exactly as the first time.
  assert.ok(saved);
  space.set(saved.bytes);
  machine.restoreState(saved.state);
  output = saved.output;
  assert.equal(machine.run({ maxSteps: 50_000_000 }).reason, 'all-ended');
  assert.equal(output, whole.output);
  assert.deepEqual(space, whole.machine.space.bytes);
  // So does the state saved before anything ran (birth stamps and SH_EPOCH included).
  space.set(atStart.bytes);
  machine.restoreState(atStart.state);
  output = '';
  assert.equal(machine.run({ maxSteps: 50_000_000 }).reason, 'all-ended');
  assert.equal(output, whole.output);
  assert.deepEqual(space, whole.machine.space.bytes);
});

test('spaces and code that are not valid stop with a MachineFault, never a crash', () => {
  assert.throws(
    () => new Machine(new Uint8Array(L.SPACE_SIZE_MIN)),
    /not a loadable object space: magic 0x0/,
  );
  const space = load([mainWith('RET_VOID')]);
  const resized = space.slice(0, space.length);
  new DataView(resized.buffer).setUint32(L.SH_SIZE, 8192, true);
  assert.throws(() => new Machine(resized), /header says 8192 bytes/);
  assert.throws(() => run([mainWith('PUSH_INT 1\nCALL_STATIC 0 2\nRET_VOID')]), MachineFault);
  assert.throws(() => run([mainWith('PUSH_CONST 9\nRET_VOID')]), /constant 9 out of range/);
  const bad = load([mainWith('NOP\nNOP\nRET_VOID')]);
  const probe = new Machine(bad);
  const main = probe.space.slot(probe.rootSlot(L.ROOT_PROGRAM_CLASSES), 0);
  const runMethod = probe.space.slot(probe.space.slot(main, L.CLASS_METHODS), 0);
  bad[probe.space.payloadOffset(probe.space.slot(runMethod, L.METHOD_CODE))] = 0xee;
  assert.throws(() => start(bad), /\.t\.Main\.run pc 0: unknown opcode 0xee/);
  // Thread 1 ended; thread 2's list link points at itself: a cycle the scheduler must not follow forever.
  const looped = load([mainWith('RET_VOID')], ['.t.Main', '.t.Main']);
  const m = new Machine(looped);
  const t1 = m.rootSlot(L.ROOT_THREADS);
  const t2 = m.space.slot(t1, L.THREAD_NEXT);
  m.space.setSlot(t1, L.THREAD_STATE, L.TS_DONE << 1);
  m.space.setSlot(t2, L.THREAD_STATE, L.TS_DONE << 1);
  m.space.setSlot(t2, L.THREAD_NEXT, t2);
  assert.throws(() => m.run(), /the thread list forms a cycle/);
});

test('the dispatch switch handles every opcode of opcodes.def exactly once, under its own code', () => {
  const source = readFileSync(
    fileURLToPath(new URL('../../../src/common/interp/machine.ts', import.meta.url)),
    'utf8',
  );
  const cases = [...source.matchAll(/case (0x[0-9a-f]+):(?: \{)?\s*\/\/ (\w+)$/gm)].map((m) => [
    Number(m[1]),
    m[2],
  ]);
  assert.deepEqual(
    cases.sort((a, b) => Number(a[0]) - Number(b[0])),
    L.OPCODES.map((o) => [o.code, o.name]),
  );
});
