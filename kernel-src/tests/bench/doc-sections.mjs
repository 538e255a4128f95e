// doc-sections.mjs — updates the sections of a Markdown benchmark document that one benchmark
// produces, leaving the sections that others wrote (by hand or by another script) as they are.
// docs/bench-persistence.md, for one, holds the snapshot bench's tables beside the power-cut
// soak's and the freeze-pause bench's.

/** Splits a document into its preamble (before the first "## " heading) and its "## " sections. */
function split(document) {
  const parts = [{ heading: null, lines: [] }];
  let fenced = false;
  for (const line of document.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (!fenced && line.startsWith('## ')) parts.push({ heading: line, lines: [line] });
    else parts.at(-1).lines.push(line);
  }
  return parts;
}

const trimmed = (text) => text.replace(/\s+$/, '');

/**
 * `document` with its preamble replaced by `preamble` and each of `sections` ({ key, text }: key
 * is how its "## " heading starts, text the whole section from its heading on) put in place of
 * the section whose heading starts with its key. A section the document does not have yet goes
 * after the one before it in `sections` (the first: right after the preamble). Every other
 * section stays where it was, unchanged. A second section with the same key is dropped.
 */
export function replaceSections(document, preamble, sections) {
  const ownerOf = (heading) => sections.find((s) => heading.startsWith(s.key));
  const out = [{ text: preamble }];
  const placed = new Set();
  for (const part of split(document).slice(1)) {
    const owner = ownerOf(part.heading);
    if (!owner) out.push({ text: part.lines.join('\n') });
    else if (!placed.has(owner)) {
      out.push({ text: owner.text, owner });
      placed.add(owner);
    }
  }
  for (const [i, section] of sections.entries()) {
    if (placed.has(section)) continue;
    const before = sections.slice(0, i).findLast((s) => placed.has(s));
    const at = before ? out.findIndex((p) => p.owner === before) + 1 : 1;
    out.splice(at, 0, { text: section.text, owner: section });
    placed.add(section);
  }
  return `${out.map((p) => trimmed(p.text)).join('\n\n')}\n`;
}
