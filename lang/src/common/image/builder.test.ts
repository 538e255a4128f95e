// Image builder tests: the generation-0 space is laid out as object-format.md says (header,
// ROOT_CLASSES by CID, methods and resolved constants, root directory, one thread per main
// class starting in the generated boot method), and bad programs get clear ImageErrors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClassSpec, program, systemClasses } from '../interp/assembler.js';
import * as L from '../spec/generated.js';
import { buildSpace, ImageError } from './builder.js';
import { intOf, Space } from './space.js';

const hello: ClassSpec = {
  name: '.t.Hello',
  fields: ['count'],
  methods: [
    { name: '<init>', argc: 1, code: 'RET_VOID' },
    {
      name: 'run',
      argc: 1,
      returns: true,
      consts: [
        { kind: 'string', value: 'hi' },
        { kind: 'method', owner: '.internal.io.tty', name: 'println' },
      ],
      code: 'PUSH_CONST 0\nCALL_STATIC 1 1\nPUSH_INT 1\nRET',
    },
  ],
};
const build = (classes: ClassSpec[], mainClasses = ['.t.Hello'], spaceBytes = L.SPACE_SIZE_MIN) =>
  new Space(buildSpace(program([...systemClasses(), ...classes]), { spaceBytes, mainClasses }));

test('the space header, root, classes by CID, and the heap walk to SH_TOP', () => {
  const s = build([hello]);
  assert.equal(s.headerField(L.SH_MAGIC), L.SPACE_MAGIC);
  assert.equal(s.headerField(L.SH_VERSION), L.FORMAT_VERSION);
  assert.equal(s.headerField(L.SH_SIZE), L.SPACE_SIZE_MIN);
  assert.equal(s.headerField(L.SH_FREE), 0);
  const root = s.headerField(L.SH_ROOT);
  const classes = s.slot(root, L.ROOT_CLASSES);
  assert.equal(s.slot(classes, 0), 0);
  for (const c of L.INTERNAL_CLASSES) {
    const cls = s.slot(classes, c.id);
    assert.equal(s.text(s.slot(cls, L.CLASS_NAME)), c.fullName);
    assert.equal(intOf(s.slot(cls, L.CLASS_INTERNAL_ID)), c.id);
    assert.equal(s.classOf(cls), s.slot(classes, L.CID_CLASS), 'every class is a .internal.class');
    assert.equal(s.slot(cls, L.CLASS_SUPER) === 0, c.id === L.CID_OBJECT);
  }
  assert.equal(s.classOf(root), s.slot(classes, L.CID_ROOT));
  // Every object from SPACE_BASE + 64 parses, has a class that is a class, mark bits clear.
  let addr = L.SPACE_BASE + L.SPACE_HEADER_BYTES;
  let count = 0;
  while (addr < s.headerField(L.SH_TOP)) {
    const ref = addr + 1;
    assert.equal(s.classOf(s.classOf(ref)), s.slot(classes, L.CID_CLASS), `object at 0x${addr.toString(16)}`);
    assert.equal(s.words[s.headerIndex(ref) + 2]! & ~L.FLAG_KIND_MASK, 0);
    addr += L.HEADER_BYTES + ((s.payloadBytes(ref) + 3) & ~3);
    count++;
  }
  assert.equal(addr, s.headerField(L.SH_TOP));
  assert.equal(count, s.headerField(L.SH_OBJECTS));
});

test('program classes, methods with resolved constants, and the boot thread', () => {
  const s = build([hello]);
  const root = s.headerField(L.SH_ROOT);
  const program = s.slot(root, L.ROOT_PROGRAM_CLASSES);
  assert.equal(s.payloadBytes(program), 4);
  const cls = s.slot(program, 0);
  assert.equal(s.slot(root, L.ROOT_MAIN_CLASS), cls);
  assert.equal(s.text(s.slot(cls, L.CLASS_NAME)), '.t.Hello');
  assert.equal(intOf(s.slot(cls, L.CLASS_FIELD_COUNT)), 1);
  assert.equal(s.text(s.slot(s.slot(cls, L.CLASS_FIELD_NAMES), 0)), 'count');
  const vtable = s.slot(cls, L.CLASS_VTABLE);
  const run = s.slot(vtable, 1);
  assert.equal(s.text(s.slot(run, L.METHOD_NAME)), 'run');
  assert.equal(s.slot(run, L.METHOD_OWNER), cls);
  assert.equal(intOf(s.slot(run, L.METHOD_FLAGS)), L.MF_RETURNS);
  assert.equal(intOf(s.slot(run, L.METHOD_VINDEX)), 1);
  const consts = s.slot(run, L.METHOD_CONSTS);
  assert.equal(s.text(s.slot(consts, 0)), 'hi');
  const println = s.slot(consts, 1);
  assert.equal(intOf(s.slot(println, L.METHOD_NATIVE)), L.N_TTY_PRINTLN);
  assert.equal(s.slot(println, L.METHOD_CODE), 0);
  assert.deepEqual([...s.byteContents(s.slot(run, L.METHOD_CODE))].slice(0, 1), [L.OP_PUSH_CONST]);

  const thread = s.slot(root, L.ROOT_THREADS);
  assert.equal(s.slot(root, L.ROOT_CURRENT), thread);
  assert.equal(intOf(s.slot(thread, L.THREAD_ID)), 1);
  assert.equal(intOf(s.slot(thread, L.THREAD_STATE)), L.TS_RUNNABLE);
  assert.equal(s.slot(thread, L.THREAD_NEXT), 0);
  assert.equal(intOf(s.slot(root, L.ROOT_NEXT_THREAD_ID)), 2);
  const frame = s.slot(thread, L.THREAD_FRAME);
  const boot = s.slot(frame, L.FRAME_METHOD);
  assert.equal(s.text(s.slot(boot, L.METHOD_NAME)), 'main');
  assert.equal(s.text(s.slot(s.slot(boot, L.METHOD_OWNER), L.CLASS_NAME)), '.internal.boot');
  assert.equal(intOf(s.slot(frame, L.FRAME_PC)), 0);
  assert.equal(s.slot(frame, L.FRAME_CALLER), 0);
  // new Hello(); DUP; CALL_STATIC <init>; CALL_VIRT run; POP (run returns a value); RET_VOID
  assert.deepEqual(
    [...s.byteContents(s.slot(boot, L.METHOD_CODE))],
    [L.OP_NEW, 0, 0, L.OP_DUP, L.OP_CALL_STATIC, 1, 0, 1, L.OP_CALL_VIRT, 1, 0, 1, L.OP_POP, L.OP_RET_VOID],
  );
  const dir = s.slot(root, L.ROOT_DIRECTORY);
  assert.equal(intOf(s.slot(dir, L.DIR_COUNT)), 0);
  assert.ok(s.payloadBytes(s.slot(dir, L.DIR_KEYS)) >= 4);
});

test('one thread per main class, in order, each with its own boot method', () => {
  const other: ClassSpec = { name: '.t.Other', methods: [{ name: 'run', argc: 1, code: 'RET_VOID' }] };
  const s = build([hello, other], ['.t.Other', '.t.Hello']);
  const root = s.headerField(L.SH_ROOT);
  const t1 = s.slot(root, L.ROOT_THREADS);
  const t2 = s.slot(t1, L.THREAD_NEXT);
  const bootName = (t: number) =>
    s.text(s.slot(s.slot(s.slot(t, L.THREAD_FRAME), L.FRAME_METHOD), L.METHOD_NAME));
  assert.deepEqual([bootName(t1), bootName(t2)], ['main', 'main2']);
  assert.equal(intOf(s.slot(t2, L.THREAD_ID)), 2);
  assert.equal(s.text(s.slot(s.slot(root, L.ROOT_MAIN_CLASS), L.CLASS_NAME)), '.t.Other');
  // .t.Other has no constructor: the boot method only allocates and calls run().
  const code = s.byteContents(s.slot(s.slot(s.slot(t1, L.THREAD_FRAME), L.FRAME_METHOD), L.METHOD_CODE));
  assert.deepEqual([...code], [L.OP_NEW, 0, 0, L.OP_CALL_VIRT, 1, 0, 1, L.OP_RET_VOID]);
});

test('bad programs and options get ImageErrors that say what is wrong', () => {
  const cases: [ClassSpec[], string[], number, RegExp][] = [
    [
      [hello],
      ['.t.Nope'],
      L.SPACE_SIZE_MIN,
      /main class \.t\.Nope is not in the program \(classes: \.t\.Hello\)/,
    ],
    [[hello], [], L.SPACE_SIZE_MIN, /no main class/],
    [[{ name: '.t.NoRun' }], ['.t.NoRun'], L.SPACE_SIZE_MIN, /has no instance method run\(\)/],
    [
      [{ name: '.t.Args', methods: [{ name: 'run', argc: 2, code: 'RET_VOID' }] }],
      ['.t.Args'],
      L.SPACE_SIZE_MIN,
      /run\(\) must take no arguments/,
    ],
    [
      [
        {
          name: '.t.Ctor',
          methods: [
            { name: '<init>', argc: 2, code: 'RET_VOID' },
            { name: 'run', argc: 1, code: 'RET_VOID' },
          ],
        },
      ],
      ['.t.Ctor'],
      L.SPACE_SIZE_MIN,
      /constructor of \.t\.Ctor takes arguments/,
    ],
    [
      [
        {
          name: '.t.Bad',
          methods: [{ name: 'run', argc: 1, consts: [{ kind: 'class', name: '.x' }], code: 'RET_VOID' }],
        },
      ],
      ['.t.Bad'],
      L.SPACE_SIZE_MIN,
      /\.t\.Bad\.run: class \.x is not defined/,
    ],
    [
      [
        {
          name: '.t.Bad',
          methods: [
            {
              name: 'run',
              argc: 1,
              consts: [{ kind: 'method', owner: '.t.Bad', name: 'zz' }],
              code: 'RET_VOID',
            },
          ],
        },
      ],
      ['.t.Bad'],
      L.SPACE_SIZE_MIN,
      /method \.t\.Bad\.zz is not defined/,
    ],
    [
      [{ name: '.t.L', methods: [{ name: 'run', argc: 1, locals: 300, code: 'RET_VOID' }] }],
      ['.t.L'],
      L.SPACE_SIZE_MIN,
      /300 locals, at most 255/,
    ],
    [[hello], ['.t.Hello'], 5000, /must be a multiple of 4096/],
  ];
  for (const [classes, mains, size, message] of cases) {
    assert.throws(
      () => build(classes, mains, size),
      (e: unknown) => e instanceof ImageError && message.test(e.message),
    );
  }
  const huge: ClassSpec = {
    name: '.t.Hello',
    methods: [
      { name: 'run', argc: 1, consts: [{ kind: 'string', value: 'x'.repeat(2 << 20) }], code: 'RET_VOID' },
    ],
  };
  assert.throws(() => build([huge]), /object space of 1048576 bytes is too small/);
  const twice = program([...systemClasses(), hello]);
  assert.throws(
    () =>
      buildSpace(
        { ...twice, classes: [...twice.classes, twice.classes.at(-1)!] },
        { mainClasses: ['.t.Hello'] },
      ),
    /class \.t\.Hello is defined twice/,
  );
  assert.throws(
    () => buildSpace({ ...twice, formatVersion: 99 }, { mainClasses: ['.t.Hello'] }),
    /format version 99/,
  );
});
