// The class blob encoder, read back by the decoder generated from lang/spec/class_blob.def (the
// kernel's decoder is generated from the same spec and tested in debug_wire_test.c and install_test.c).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompiledClass } from '@phantom/lang/common/compiled.js';
import { compile } from '@phantom/lang/common/compiler.js';
import { seededRandom } from '@phantom/lang/common/seeded-random.js';
import {
  BLOB_CONSTANT_CLASS,
  BLOB_CONSTANT_STRING,
  decodeClassBlob,
} from '@phantom/lang/common/spec/class-blob-wire.js';
import { WireError } from '@phantom/lang/common/spec/wire.js';
import {
  CLASS_BLOB_MAGIC,
  CLASS_BLOB_VERSION,
  ClassBlobError,
  classBlobOf,
  encodeClassBlob,
} from './class-blob.js';

const source = `package .demo;
import .internal.io.tty;
class counter {
  var count : int;
  void tick() {
    count++;
    try { tty.println("tick " + count); } catch (var e : .internal.error) { count = 0; }
  }
};
`;

function counter(): CompiledClass {
  const { program, diagnostics } = compile([{ file: 'counter.ph', text: source }]);
  assert.ok(program, diagnostics.map((d) => d.message).join('\n'));
  return program.classes.find((c) => c.name === '.demo.counter')!;
}

test("the blob decodes to the class it encodes, by the spec's own decoder", () => {
  const cls = counter();
  const blob = encodeClassBlob(cls);
  assert.equal(new DataView(blob.buffer).getUint32(0, true), CLASS_BLOB_MAGIC);
  assert.equal(new DataView(blob.buffer).getUint32(4, true), CLASS_BLOB_VERSION);
  assert.deepEqual(decodeClassBlob(blob), classBlobOf(cls));
  const back = decodeClassBlob(blob);
  assert.deepEqual(back.fieldNames, cls.fieldNames);
  assert.deepEqual(
    back.vtable.map((e) => [e.owner, e.name]),
    cls.vtable,
  );
  for (const [i, m] of cls.methods.entries()) {
    const b = back.methods[i]!;
    assert.deepEqual(
      [b.name, b.flags, b.argc, b.locals, b.maxStack, b.native, b.vindex],
      [m.name, m.flags, m.argc, m.locals, m.maxStack, m.native, m.vindex],
    );
    assert.deepEqual(b.code, m.code);
    assert.deepEqual(b.handlers, m.handlers);
    assert.deepEqual(b.lines, m.lines);
    assert.deepEqual(
      b.consts.map((k) =>
        k.kind === BLOB_CONSTANT_STRING
          ? { kind: 'string', value: k.value }
          : k.kind === BLOB_CONSTANT_CLASS
            ? { kind: 'class', name: k.name }
            : { kind: 'method', owner: k.owner, name: k.name },
      ),
      m.consts,
    );
  }
  assert.ok(
    cls.methods.some((m) => m.handlers.length > 0),
    'the example exercises handlers',
  );
});

test('internal classes and classes without a superclass are refused', () => {
  const { program } = compile([{ file: 'counter.ph', text: source }]);
  const object = program!.classes.find((c) => c.superName === null)!;
  assert.throws(() => encodeClassBlob(object), ClassBlobError);
  const internal = program!.classes.find((c) => c.internalId !== 0 && c.superName !== null)!;
  assert.throws(() => encodeClassBlob(internal), ClassBlobError);
});

test("a class beyond the kernel's limits is refused before sending", () => {
  const cls = counter();
  const manyFields = { ...cls, fieldNames: Array.from({ length: 30_000 }, (_, i) => `field${i}`) };
  assert.throws(() => encodeClassBlob(manyFields), /CLASS_BLOB_MAX_FIELDS/);
  const method = { ...cls.methods[0]!, code: new Uint8Array(60_000) };
  const big = { ...cls, methods: Array.from({ length: 5 }, (_, i) => ({ ...method, name: `m${i}` })) };
  assert.throws(() => encodeClassBlob(big), /at most 262144/);
});

test('version 2 carries the source file, statement tables and locals', () => {
  const cls = counter();
  const back = decodeClassBlob(encodeClassBlob(cls));
  assert.equal(back.source, 'counter.ph');
  for (const [i, m] of cls.methods.entries()) {
    const b = back.methods[i]!;
    assert.deepEqual(
      b.statements.flatMap((s) => [s.pc, s.line, s.column]),
      m.debug?.statements ?? [],
    );
    assert.deepEqual(b.debugLocals, m.debug?.locals ?? []);
  }
  const tick = back.methods.find((m) => m.name === 'tick')!;
  assert.deepEqual(
    tick.debugLocals.map((l) => l.name),
    ['e'],
  );
  assert.ok(tick.statements.length >= 3);
});

test('a version 1 blob is refused with both versions named', () => {
  const blob = encodeClassBlob(counter());
  new DataView(blob.buffer).setUint32(4, 1, true);
  assert.throws(() => decodeClassBlob(blob), new RegExp(`version is 1, must be ${CLASS_BLOB_VERSION}`));
});

test('fuzz: damaged blobs with debug records are refused with a WireError, never read past', () => {
  const cls = counter();
  const valid = encodeClassBlob(cls);
  const bare = encodeClassBlob({ ...cls, methods: cls.methods.map((m) => ({ ...m, debug: undefined })) });
  assert.ok(valid.length > bare.length * 1.1, 'the debug records are a good part of what gets damaged');
  const random = seededRandom(18);
  let refused = 0;
  for (let round = 0; round < 3000; round++) {
    const blob = valid.slice(0, round % 7 === 0 ? Math.floor(random() * valid.length) : valid.length);
    const flips = 1 + Math.floor(random() * 4);
    for (let k = 0; k < flips && blob.length > 8; k++)
      blob[8 + Math.floor(random() * (blob.length - 8))] = Math.floor(random() * 256);
    try {
      const back = decodeClassBlob(blob);
      for (const m of back.methods) {
        assert.ok(m.statements.length <= 65535);
        assert.ok(m.debugLocals.length <= 4096);
      }
    } catch (err) {
      assert.ok(err instanceof WireError, String(err));
      refused++;
    }
  }
  assert.ok(refused > 1000, `most damaged blobs are refused (${refused})`);
});
