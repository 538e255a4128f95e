// The prelude, natives.def (through generated.ts) and layout.def must describe the same system
// classes: every native declared once with the table's class, kind, argc and signature, every
// internal class present with its id, kind and slot count.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compile } from './compiler.js';
import { PRELUDE_FILES } from './prelude.js';
import { INTERNAL_CLASSES, KIND_BYTES, KIND_SLOTS, MF_STATIC, NATIVES } from './spec/generated.js';
import { fillDocTables, generateDocTables, SPEC_FILES, type SpecTexts } from './spec/tables.js';

const prelude = compile([]);

test('the prelude compiles without diagnostics', () => {
  assert.deepEqual(prelude.diagnostics, []);
  assert.ok(prelude.program);
  assert.ok(PRELUDE_FILES.length > 0);
});

test('every native of natives.def is declared in the prelude exactly as the table says', () => {
  const program = prelude.program!;
  const natives = program.classes.flatMap((c) =>
    c.methods.filter((m) => m.native !== 0).map((m) => ({ cls: c.name, m })),
  );
  assert.equal(natives.length, NATIVES.length, 'one prelude native per natives.def row');
  for (const n of NATIVES) {
    const found = natives.find(({ cls, m }) => cls === n.className && m.name === n.method);
    assert.ok(found, `${n.className}.${n.method} is declared`);
    assert.equal(found.m.native, n.id, n.name);
    assert.equal(found.m.argc, n.argc, `${n.name} argc`);
    assert.equal((found.m.flags & MF_STATIC) !== 0, n.isStatic, `${n.name} static`);
    assert.equal(found.m.signature, n.signature, `${n.name} signature`);
    assert.equal(found.m.code.length, 0);
  }
});

test('every internal class of layout.def is in the prelude with its id, kind and slots', () => {
  const program = prelude.program!;
  assert.equal(program.classes.length, INTERNAL_CLASSES.length);
  for (const info of INTERNAL_CLASSES) {
    const cls = program.classes.find((c) => c.name === info.fullName);
    assert.ok(cls, info.fullName);
    assert.equal(cls.internalId, info.id, info.fullName);
    assert.equal(cls.kind, info.kind === 'KIND_BYTES' ? KIND_BYTES : KIND_SLOTS, info.fullName);
    if (info.slots >= 0) assert.equal(cls.fieldNames.length, info.slots, `${info.fullName} slots`);
    assert.equal(cls.superName, info.fullName === '.internal.object' ? null : '.internal.object');
  }
});

test('the natives table in docs/language.md is what natives.def generates', () => {
  const lang = fileURLToPath(new URL('../../', import.meta.url));
  const texts = Object.fromEntries(
    SPEC_FILES.map((n) => [n, readFileSync(`${lang}spec/${n}.def`, 'utf8')]),
  ) as unknown as SpecTexts;
  const doc = readFileSync(`${lang}docs/language.md`, 'utf8');
  assert.match(doc, /<!-- BEGIN natives -->/);
  assert.equal(doc, fillDocTables(doc, generateDocTables(texts)), 'run `npm run gen -w lang`');
});
