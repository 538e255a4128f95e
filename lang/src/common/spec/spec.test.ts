import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDef } from './def-parse.js';
import * as G from './generated.js';
import { fillDocTables, generateConstants, generateDocTables, SPEC_FILES, type SpecTexts } from './tables.js';
import { generateAllWireDocTables, generateWireFiles, parseWireSpec, WIRE_DOCS } from './wire-gen.js';

const lang = fileURLToPath(new URL('../../../', import.meta.url));
const texts = Object.fromEntries(
  SPEC_FILES.map((n) => [n, readFileSync(join(lang, 'spec', `${n}.def`), 'utf8')]),
) as unknown as SpecTexts;

test('generated.ts is exactly what spec/*.def generate', () => {
  const current = readFileSync(join(lang, 'src/common/spec/generated.ts'), 'utf8');
  assert.equal(current, generateConstants(texts), 'run `npm run gen -w lang`');
});

test('the tables in docs/*.md are exactly what spec/*.def generate', () => {
  const tables = generateDocTables(texts);
  const used = new Set<string>();
  for (const doc of ['bytecode.md', 'object-format.md', 'store-format.md']) {
    const text = readFileSync(join(lang, 'docs', doc), 'utf8');
    for (const m of text.matchAll(/<!-- BEGIN ([\w-]+) -->/g)) used.add(m[1]!);
    assert.equal(text, fillDocTables(text, tables), `${doc} is stale: run \`npm run gen -w lang\``);
  }
  assert.deepEqual([...used].sort(), Object.keys(tables).sort(), 'every generated table appears in a doc');
});

test('opcodes: unique codes and names, operand sizes match their encodings', () => {
  const sizes: Record<string, number> = { NONE: 0, U8: 1, U16: 2, I16: 2, I32: 4, U16_U8: 3 };
  assert.equal(new Set(G.OPCODES.map((o) => o.code)).size, G.OPCODES.length);
  assert.equal(new Set(G.OPCODES.map((o) => o.name)).size, G.OPCODES.length);
  for (const op of G.OPCODES) {
    assert.equal(op.operandBytes, sizes[op.operands], op.name);
    assert.ok(op.code >= 0 && op.code < 256);
  }
  assert.equal(G.OP_ADD, G.OPCODES.find((o) => o.name === 'ADD')!.code);
});

test('natives: ids start at 1 and are unique; layout: classes, fields and store offsets are consistent', () => {
  assert.deepEqual(
    G.NATIVES.map((n) => n.id),
    G.NATIVES.map((_, i) => i + 1),
  );
  assert.deepEqual(
    G.INTERNAL_CLASSES.map((c) => c.id),
    G.INTERNAL_CLASSES.map((_, i) => i + 1),
  );
  const layout = parseDef(texts.layout);
  for (const c of G.INTERNAL_CLASSES) {
    const fields = layout.filter((r) => r.macro === 'FIELD' && r.args[0] === c.name);
    // A field past the fixed slots is optional (readers check the object's slot count first), and
    // says so; every fixed field is within them.
    const optional = fields.filter((f) => Number(f.args[2]) >= c.slots);
    if (c.slots >= 0) {
      assert.ok(fields.length - optional.length <= c.slots, `${c.name} has more fields than slots`);
      for (const f of optional)
        assert.match(
          String(f.args[3]),
          /^optional \(only in an? [a-z]+ of \d+ slots/,
          `${f.args[1]} says it is optional`,
        );
    }
    assert.deepEqual(
      fields.map((f) => f.args[2]),
      fields.map((_, i) => i),
      `${c.name} fields are numbered 0, 1, ...`,
    );
  }
  assert.ok(G.SB_CRC + 4 <= 64 && G.GEN_CRC + 4 <= G.GEN_MAP);
  assert.ok(G.GEN_MAP + G.GEN_MAX_MAP_BLOCKS * 8 <= G.BLOCK_SIZE);
  assert.ok(G.IX_ENTRIES + G.IX_MAX_ENTRIES * 16 <= G.BLOCK_SIZE);
  assert.ok(G.IR_LEAVES + G.IR_MAX_LEAVES * 16 <= G.BLOCK_SIZE);
  // Leaves but the last hold at least IX_MIN_ENTRIES, so the most generations always fit a root.
  assert.ok((G.IR_MAX_LEAVES - 1) * G.IX_MIN_ENTRIES + 1 >= G.IX_MAX_GENERATIONS);
  assert.ok(2 * G.IX_MIN_ENTRIES <= G.IX_MAX_ENTRIES + 1);
  assert.ok(G.GEN_MAX_MAP_BLOCKS * G.PME_PER_BLOCK * G.PAGE_SIZE >= G.SPACE_SIZE_MAX);
  assert.equal(G.BLOCK_SIZE, G.PAGE_SIZE);
  assert.ok(G.SPACE_BASE + G.SPACE_SIZE_MAX <= 2 ** 32);
});

test('the .def files compile as C X-macro tables (when a C compiler is installed)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'phdef-'));
  try {
    const src = join(dir, 't.c');
    writeFileSync(
      src,
      [
        '#include <stdio.h>',
        '#define OP(n, c, o, b, pop, push, d) OP_##n = c,',
        'enum { ',
        '#include "opcodes.def"',
        '};',
        '#define NATIVE(n, id, c, m, k, a, s, d) N_##n = id,',
        'enum {',
        '#include "natives.def"',
        '};',
        '#define V(n, v, d) n = v,',
        '#define O(n, o, b, d) n = o,',
        '#define FORMAT V',
        '#define KIND V',
        '#define FLAG V',
        '#define CONST V',
        '#define HEADER O',
        '#define SPACE O',
        '#define CLASS(n, id, f, k, s, d) n = id,',
        '#define FIELD(c, n, s, d) n = s,',
        '#define ERROR(n, c, m, d) n = c,',
        'enum {',
        '#include "layout.def"',
        '};',
        '#define STORE(n, v, d) n = (int)v,',
        '#define SB O',
        '#define IR O',
        '#define IRE O',
        '#define IX O',
        '#define IXE O',
        '#define GEN O',
        '#define GME O',
        '#define PME O',
        'enum {',
        '#include "store.def"',
        '};',
        'int main(void) { printf("%d %d %d %d %d\\n", OP_INSTANCEOF, N_OBJ_CLASS_NAME, SPACE_BASE, FRAME_LOCALS, GEN_CRC); return 0; }',
      ].join('\n'),
    );
    try {
      execFileSync('cc', [
        '-Wall',
        '-Wextra',
        '-Werror',
        '-I',
        join(lang, 'spec'),
        src,
        '-o',
        join(dir, 't'),
      ]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return t.skip('no cc');
      throw err;
    }
    const out = execFileSync(join(dir, 't'), { encoding: 'utf8' }).trim();
    assert.equal(
      out,
      [G.OP_INSTANCEOF, G.N_OBJ_CLASS_NAME, G.SPACE_BASE, G.FRAME_LOCALS, G.GEN_CRC].join(' '),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the wire codecs (TypeScript and C) and the debug protocol tables are exactly what the wire specs generate', () => {
  const root = join(lang, '..');
  const all = Object.fromEntries(
    readdirSync(join(lang, 'spec'))
      .filter((f) => f.endsWith('.def'))
      .map((f) => [f.slice(0, -4), readFileSync(join(lang, 'spec', f), 'utf8')]),
  );
  for (const [path, text] of Object.entries(generateWireFiles(all)))
    assert.equal(
      readFileSync(join(root, path), 'utf8'),
      text,
      `${path} is stale: run \`npm run gen -w lang\``,
    );
  const tables = generateAllWireDocTables(all);
  const used = new Set<string>();
  for (const doc of WIRE_DOCS) {
    const text = readFileSync(join(root, doc), 'utf8');
    for (const m of text.matchAll(/<!-- BEGIN ([\w-]+) -->/g)) used.add(m[1]!);
    assert.equal(text, fillDocTables(text, tables), `${doc} is stale: run \`npm run gen -w lang\``);
  }
  assert.deepEqual([...used].sort(), Object.keys(tables).sort(), 'every wire table appears in a doc');
});

test('a wire spec that names what does not exist is refused', () => {
  const bad = [
    'RECORD(a, "")\nLIST(xs, n, u32, "")',
    'RECORD(a, "")\nFIELD(n, u32, "max NOPE", "")',
    'RECORD(a, "")\nFIELD(n, u32, "", "")\nLIST(xs, n, b, "")',
    'MSG(X, 1, 0, a, none, "")',
    'RECORD(a, "")\nREST(r, "")\nFIELD(n, u8, "", "")',
  ];
  for (const text of bad) assert.throws(() => parseWireSpec('t', text, new Map()), /t\.def/, text);
});
