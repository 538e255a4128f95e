// The failed tests of a node:test TAP report, each as one line (name, place, message), so that
// `npm test` can repeat them after its summary: CI keeps only the tail of the output.

/**
 * The failed tests of a TAP report, innermost first where subtests failed inside a failed suite:
 * `name (file:line) — first lines of the error`.
 */
export function tapFailures(report, root = '') {
  const lines = report.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(/^(\s*)not ok \d+ - (.*)$/);
    if (!m) continue;
    const indent = m[1].length;
    let location = '';
    const error = [];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j];
      const inner = line.slice(indent);
      if (!line.startsWith(' '.repeat(indent + 2)) && line.trim() !== '') break;
      if (inner.startsWith('  ...')) break;
      const loc = inner.match(/^ {2}location: '(.*)'$/);
      if (loc) location = root ? loc[1].replace(`${root}/`, '') : loc[1];
      const err = inner.match(/^ {2}error: (.*)$/);
      if (err) {
        if (err[1] === '|-' || err[1] === '>-' || err[1] === '|') {
          for (
            let k = j + 1;
            k < lines.length && (lines[k].startsWith(' '.repeat(indent + 4)) || lines[k].trim() === '');
            k++
          )
            error.push(lines[k].trim());
        } else error.push(err[1].replace(/^'(.*)'$|^"(.*)"$/, '$1$2'));
      }
    }
    const message = error.filter(Boolean).slice(0, 3).join(' / ');
    out.push(`${m[2]}${location ? ` (${location})` : ''}${message ? ` — ${message}` : ''}`);
  }
  // Suites report `not ok` after their failed subtests; both are kept, in report order.
  return out;
}
