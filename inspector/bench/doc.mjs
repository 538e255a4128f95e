// The inspector's benchmarks share docs/bench-inspector.md: each writes its own section, between
// `<!-- BEGIN name -->` and `<!-- END name -->`, and leaves the others as they were.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DOC = join(import.meta.dirname, '../../docs/bench-inspector.md');
const TITLE = '# Inspector benchmarks\n';

/** Replaces (or appends) the section `name` of docs/bench-inspector.md with `markdown`. */
export function writeSection(name, markdown) {
  const begin = `<!-- BEGIN ${name} -->`;
  const end = `<!-- END ${name} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  let doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : TITLE;
  if (!doc.startsWith(TITLE)) doc = TITLE;
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  doc =
    from >= 0 && to > from
      ? doc.slice(0, from) + block + doc.slice(to + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, doc);
}
