// `npm run gen -w lang`: regenerates src/common/spec/generated.ts and the tables in docs/*.md
// from spec/*.def (after a build, since it uses the compiled generator).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fillDocTables,
  generateConstants,
  generateDocTables,
  SPEC_FILES,
} from '../dist/common/spec/tables.js';

const lang = join(import.meta.dirname, '..');
const texts = Object.fromEntries(
  SPEC_FILES.map((n) => [n, readFileSync(join(lang, 'spec', `${n}.def`), 'utf8')]),
);
writeFileSync(join(lang, 'src/common/spec/generated.ts'), generateConstants(texts));
const tables = generateDocTables(texts);
for (const doc of ['bytecode.md', 'object-format.md', 'store-format.md', 'language.md']) {
  const path = join(lang, 'docs', doc);
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    continue;
  }
  writeFileSync(path, fillDocTables(text, tables));
}
