// The class blob encoder, read back field by field along the layout documented in
// kernel-src/docs/debug-protocol.md (the kernel's parser is tested in install_test.c).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompiledClass } from '@phantom/lang/common/compiled.js';
import { compile } from '@phantom/lang/common/compiler.js';
import {
  BlobConstKind,
  CLASS_BLOB_MAGIC,
  CLASS_BLOB_VERSION,
  ClassBlobError,
  encodeClassBlob,
} from './class-blob.js';
import { PayloadReader } from './debug-protocol.js';

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

test('the blob holds the class as documented, ending after its last method', () => {
  const cls = counter();
  const r = new PayloadReader(encodeClassBlob(cls), 'blob');
  assert.equal(r.u32(), CLASS_BLOB_MAGIC);
  assert.equal(r.u32(), CLASS_BLOB_VERSION);
  assert.equal(r.str(), '.demo.counter');
  assert.equal(r.str(), cls.superName);
  assert.equal(r.u32(), cls.kind);
  const fields = Array.from({ length: r.u32() }, () => r.str());
  assert.deepEqual(fields, cls.fieldNames);
  const vtable = Array.from({ length: r.u32() }, () => [r.str(), r.str()]);
  assert.deepEqual(vtable, cls.vtable);
  assert.equal(r.u32(), cls.methods.length);
  for (const m of cls.methods) {
    assert.equal(r.str(), m.name);
    assert.deepEqual(
      [r.u32(), r.u32(), r.u32(), r.u32(), r.u32(), r.u32() | 0],
      [m.flags, m.argc, m.locals, m.maxStack, m.native, m.vindex],
    );
    assert.deepEqual(r.bytesOf(r.u32()), m.code);
    const consts = Array.from({ length: r.u32() }, () => {
      const kind = r.u8();
      if (kind === BlobConstKind.STRING) return { kind: 'string', value: r.str() };
      if (kind === BlobConstKind.CLASS) return { kind: 'class', name: r.str() };
      assert.equal(kind, BlobConstKind.METHOD);
      return { kind: 'method', owner: r.str(), name: r.str() };
    });
    assert.deepEqual(consts, m.consts);
    const handlers = Array.from({ length: r.u32() }, () => ({
      start: r.u32(),
      end: r.u32(),
      handler: r.u32(),
      classConst: r.u32() | 0,
    }));
    assert.deepEqual(handlers, m.handlers);
    assert.deepEqual(
      Array.from({ length: r.u32() }, () => r.u32()),
      m.lines,
    );
  }
  r.end();
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

test('a class too large for the kernel is refused before sending', () => {
  const cls = counter();
  const huge = { ...cls, fieldNames: Array.from({ length: 30_000 }, (_, i) => `field${i}`) };
  assert.throws(() => encodeClassBlob(huge), /at most/);
});
