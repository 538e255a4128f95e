// `npm run gen -w lang`: regenerates, from spec/*.def (after a build, since it uses the compiled
// generators): src/common/spec/generated.ts and the tables in docs/*.md; and from the wire specs
// (debug.def, class_blob.def) their TypeScript and C codecs and the tables of the debug protocol's doc.
// A file is written only when its text changes (so make and tsc -b rebuild nothing otherwise), and
// each one written is named. `npm run build` runs this between two tsc -b: a spec change that
// either side does not follow then fails the build (tsc, or the kernel's make).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fillDocTables,
  generateConstants,
  generateDocTables,
  SPEC_FILES,
} from '../dist/common/spec/tables.js';
import { generateAllWireDocTables, generateWireFiles, WIRE_DOCS } from '../dist/common/spec/wire-gen.js';

const lang = join(import.meta.dirname, '..');
function writeFileIfChanged(path, text) {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  writeFileSync(path, text);
  console.log(`gen-spec: wrote ${path}`);
}
const root = join(lang, '..');
const texts = Object.fromEntries(
  SPEC_FILES.map((n) => [n, readFileSync(join(lang, 'spec', `${n}.def`), 'utf8')]),
);
writeFileIfChanged(join(lang, 'src/common/spec/generated.ts'), generateConstants(texts));
const tables = generateDocTables(texts);
for (const doc of ['bytecode.md', 'object-format.md', 'store-format.md', 'language.md']) {
  const path = join(lang, 'docs', doc);
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    continue;
  }
  writeFileIfChanged(path, fillDocTables(text, tables));
}

const allTexts = Object.fromEntries(
  readdirSync(join(lang, 'spec'))
    .filter((f) => f.endsWith('.def'))
    .map((f) => [f.slice(0, -4), readFileSync(join(lang, 'spec', f), 'utf8')]),
);
for (const [path, text] of Object.entries(generateWireFiles(allTexts)))
  writeFileIfChanged(join(root, path), text);
const wireTables = generateAllWireDocTables(allTexts);
for (const doc of WIRE_DOCS) {
  const path = join(root, doc);
  writeFileIfChanged(path, fillDocTables(readFileSync(path, 'utf8'), wireTables));
}
