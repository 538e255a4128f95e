/**
 * Reads the X-macro tables in lang/spec/*.def — the single definition of the bytecode, the
 * object layout, the natives and the store format that the C kernel includes directly. The
 * TypeScript constants (generated.ts) are generated from these records, and tests re-read the
 * tables to check that nothing drifted.
 */
export type DefValue = string | number;

export interface DefRecord {
  /** The macro name, e.g. OP or FIELD. */
  macro: string;
  /** Arguments: quoted strings unescaped, numbers (decimal or 0x hex, maybe negative) as numbers, identifiers as strings. */
  args: DefValue[];
  /** 1-based line of the record in the file. */
  line: number;
}

/** Parses a .def text; throws on a malformed record (the tables are ours, so that is a bug). */
export function parseDef(text: string): DefRecord[] {
  const records: DefRecord[] = [];
  const stripped = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  const lines = stripped.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\/\/.*$/, '').trim();
    if (line === '') continue;
    const m = /^([A-Z_][A-Z0-9_]*)\((.*)\)$/.exec(line);
    if (!m) throw new Error(`def line ${i + 1}: not a record: ${line}`);
    records.push({ macro: m[1]!, args: splitArgs(m[2]!, i + 1), line: i + 1 });
  }
  return records;
}

function splitArgs(text: string, line: number): DefValue[] {
  const args: DefValue[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ') i++;
    if (text[i] === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        s += text[i];
        i++;
      }
      if (text[i] !== '"') throw new Error(`def line ${line}: unterminated string`);
      i++;
      args.push(s);
    } else {
      const end = text.indexOf(',', i);
      const raw = (end < 0 ? text.slice(i) : text.slice(i, end)).trim();
      if (raw === '') throw new Error(`def line ${line}: empty argument`);
      args.push(
        /^-?(0x[0-9a-fA-F]+|\d+)$/.test(raw) ? Number.parseInt(raw, raw.includes('0x') ? 16 : 10) : raw,
      );
      i = end < 0 ? text.length : end;
    }
    while (text[i] === ' ') i++;
    if (i < text.length) {
      if (text[i] !== ',') throw new Error(`def line ${line}: expected ','`);
      i++;
    }
  }
  return args;
}
