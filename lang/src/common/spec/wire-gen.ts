/**
 * The wire formats of lang/spec/debug.def (the debug channel) and lang/spec/class_blob.def (the
 * class blob INSTALL_CLASS carries), read into a checked model and turned into everything derived
 * from them: the TypeScript codecs (debug-wire.ts, class-blob-wire.ts, over wire.ts), the C
 * structs, decoders, writers and request dispatch of the kernel (kernel-src/core/debug_wire.*,
 * class_blob_wire.*, over core/wire.h) and the Markdown tables of kernel-src/docs/debug-protocol.md.
 * `npm run gen -w lang` writes them; tests regenerate them in memory and compare, so no side can
 * drift from the spec. The row syntax is described at the top of debug.def.
 *
 * Not here: the constant tables of the other spec files (tables.ts).
 */
import { type DefRecord, type DefValue, parseDef } from './def-parse.js';

export type Scalar = 'u8' | 'u16' | 'u32' | 'u64' | 'i32' | 'ref';
export const SCALAR_BYTES: Record<Scalar, number> = { u8: 1, u16: 2, u32: 4, u64: 8, i32: 4, ref: 4 };
const isScalar = (t: string): t is Scalar => t in SCALAR_BYTES;

/** A number in a check or a size: a literal, a constant (by name) or an earlier field. */
export type Bound = { value: number; constant?: string } | { field: string };

export interface WireField {
  item: 'field';
  name: string;
  type: Scalar | 'str';
  /** value: in the struct; constant: always `equals` (no struct member); count: the length of a LIST or BYTES. */
  role: 'value' | 'constant' | 'count' | 'tag';
  equals?: Bound;
  max?: Bound;
  /** For str: the shortest length in bytes. */
  min?: number;
  doc: string;
}
export interface WireList {
  item: 'list';
  name: string;
  count: string;
  element: Scalar | 'str' | string;
  doc: string;
}
export interface WireBytes {
  item: 'bytes';
  name: string;
  count: Bound;
  pad: number;
  doc: string;
}
export interface WireRest {
  item: 'rest';
  name: string;
  doc: string;
}
export type WireItem = WireField | WireList | WireBytes | WireRest;
export interface WireVariant {
  name: string;
  value: number;
  doc: string;
  items: WireItem[];
}
export interface WireRecord {
  name: string;
  doc: string;
  items: WireItem[];
  /** The field whose value picks a variant (CASE rows), when there are variants. */
  tag?: string;
  variants: WireVariant[];
}
export interface WireConstant {
  macro: string;
  name: string;
  value: number;
  /** FRAME: the field's size in bytes. */
  bytes?: number;
  doc: string;
}
export interface WireMessage {
  name: string;
  type: number;
  revision: number;
  request: string | null;
  reply: string | null;
  doc: string;
}
export interface WireEvent {
  name: string;
  type: number;
  revision: number;
  payload: string;
  doc: string;
}
export interface WireSpec {
  /** The .def's base name: debug or class_blob. */
  file: string;
  constants: WireConstant[];
  messages: WireMessage[];
  events: WireEvent[];
  records: WireRecord[];
  /** Constants of the other spec files a check may name (MAX_CONSTS), with their values. */
  external: Map<string, number>;
}

const str = (v: DefValue | undefined) => String(v ?? '');

/** Reads a wire .def; throws naming the line for anything the generators could not honour. */
export function parseWireSpec(file: string, text: string, external: Map<string, number>): WireSpec {
  const spec: WireSpec = { file, constants: [], messages: [], events: [], records: [], external };
  const where = (r: DefRecord) => `${file}.def line ${r.line}`;
  let record: WireRecord | undefined;
  let items: WireItem[] = [];
  const constant = (name: string) => spec.constants.find((c) => c.name === name)?.value ?? external.get(name);
  const bound = (raw: string, r: DefRecord, fields: WireItem[]): Bound => {
    if (/^-?(0x[0-9a-f]+|\d+)$/i.test(raw)) return { value: Number(raw) };
    const c = constant(raw);
    if (c !== undefined) return { value: c, constant: raw };
    const f = fields.find((i) => i.name === raw);
    if (f?.item === 'field' && f.type !== 'str') return { field: raw };
    throw new Error(`${where(r)}: ${raw} is neither a number, a constant nor an earlier number field`);
  };
  const earlier = () => [...(record?.items ?? []), ...items];
  for (const r of parseDef(text)) {
    const a = r.args;
    if (r.macro !== 'RECORD' && r.macro !== 'CASE' && !['FIELD', 'LIST', 'BYTES', 'REST'].includes(r.macro))
      record = undefined;
    switch (r.macro) {
      case 'PROTO':
      case 'BLOB':
      case 'DERR':
        spec.constants.push({ macro: r.macro, name: str(a[0]), value: a[1] as number, doc: str(a[2]) });
        break;
      case 'FRAME':
        spec.constants.push({
          macro: r.macro,
          name: str(a[0]),
          value: a[1] as number,
          bytes: a[2] as number,
          doc: str(a[3]),
        });
        break;
      case 'MSG':
        spec.messages.push({
          name: str(a[0]),
          type: a[1] as number,
          revision: a[2] as number,
          request: a[3] === 'none' ? null : str(a[3]),
          reply: a[4] === 'none' ? null : str(a[4]),
          doc: str(a[5]),
        });
        break;
      case 'EVENT':
        spec.events.push({
          name: str(a[0]),
          type: a[1] as number,
          revision: a[2] as number,
          payload: str(a[3]),
          doc: str(a[4]),
        });
        break;
      case 'RECORD':
        record = { name: str(a[0]), doc: str(a[1]), items: [], variants: [] };
        items = record.items;
        if (spec.records.some((x) => x.name === record!.name))
          throw new Error(`${where(r)}: duplicate record`);
        spec.records.push(record);
        break;
      case 'CASE': {
        if (!record) throw new Error(`${where(r)}: CASE outside a RECORD`);
        const tag = record.items.find((i) => i.name === a[0]);
        if (tag?.item !== 'field' || tag.type === 'str' || (record.tag && record.tag !== a[0]))
          throw new Error(`${where(r)}: CASE needs an earlier number field of the record`);
        tag.role = 'tag';
        record.tag = str(a[0]);
        const variant = { name: str(a[1]), value: a[2] as number, doc: str(a[3]), items: [] };
        record.variants.push(variant);
        items = variant.items;
        break;
      }
      case 'FIELD': {
        if (!record) throw new Error(`${where(r)}: FIELD outside a RECORD`);
        const type = str(a[1]);
        if (!isScalar(type) && type !== 'str') throw new Error(`${where(r)}: unknown type ${type}`);
        const f: WireField = { item: 'field', name: str(a[0]), type, role: 'value', doc: str(a[3]) };
        const check = str(a[2]).trim();
        const m = /^(=|max|min)\s+(\S+)$/.exec(check);
        if (check !== '' && !m) throw new Error(`${where(r)}: bad check "${check}"`);
        if (m?.[1] === '=') {
          f.equals = bound(m[2]!, r, earlier());
          f.role = 'constant';
        } else if (m?.[1] === 'max') f.max = bound(m[2]!, r, earlier());
        else if (m?.[1] === 'min') {
          if (type !== 'str') throw new Error(`${where(r)}: min is for strings`);
          f.min = Number(m[2]);
        }
        items.push(f);
        break;
      }
      case 'LIST':
      case 'BYTES': {
        if (!record) throw new Error(`${where(r)}: ${r.macro} outside a RECORD`);
        const countName = str(a[1]);
        const count = earlier().find((i) => i.name === countName);
        if (count?.item === 'field') {
          if (count.role !== 'value' || count.type === 'str' || count.type === 'i32')
            throw new Error(`${where(r)}: ${countName} cannot be a count`);
          count.role = 'count';
        } else if (r.macro === 'LIST' || constant(countName) === undefined)
          throw new Error(`${where(r)}: the count ${countName} is not an earlier field`);
        if (r.macro === 'LIST')
          items.push({ item: 'list', name: str(a[0]), count: countName, element: str(a[2]), doc: str(a[3]) });
        else
          items.push({
            item: 'bytes',
            name: str(a[0]),
            count: count ? { field: countName } : { value: constant(countName)!, constant: countName },
            pad: a[2] as number,
            doc: str(a[3]),
          });
        break;
      }
      case 'REST':
        if (!record) throw new Error(`${where(r)}: REST outside a RECORD`);
        items.push({ item: 'rest', name: str(a[0]), doc: str(a[1]) });
        break;
      default:
        throw new Error(`${where(r)}: unknown row ${r.macro}`);
    }
  }
  checkSpec(spec);
  return spec;
}

function checkSpec(spec: WireSpec): void {
  const names = new Set(spec.records.map((r) => r.name));
  for (const rec of spec.records) {
    const all = [...rec.items, ...rec.variants.flatMap((v) => v.items)];
    for (const [i, item] of rec.items.entries()) {
      if (item.item === 'rest' && (i !== rec.items.length - 1 || rec.variants.length > 0))
        throw new Error(`${spec.file}.def: ${rec.name}.${item.name}: REST must be last`);
    }
    for (const item of all)
      if (
        item.item === 'list' &&
        !isScalar(item.element) &&
        item.element !== 'str' &&
        !names.has(item.element)
      )
        throw new Error(`${spec.file}.def: ${rec.name}.${item.name}: no record ${item.element}`);
    const counted = all.filter((i) => i.item === 'list').map((i) => i.count);
    if (new Set(counted).size !== counted.length)
      throw new Error(`${spec.file}.def: ${rec.name}: one count for two lists`);
  }
  for (const m of spec.messages)
    for (const p of [m.request, m.reply])
      if (p !== null && !names.has(p)) throw new Error(`${spec.file}.def: ${m.name} names no record ${p}`);
  for (const e of spec.events)
    if (!names.has(e.payload)) throw new Error(`${spec.file}.def: ${e.name} names no record ${e.payload}`);
}

// ── names ──

const pascal = (s: string) => s.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const upper = (s: string) => s.toUpperCase();
const hex = (n: number, width = 2) => `0x${n.toString(16).toUpperCase().padStart(width, '0')}`;
const docLine = (s: string) => s.replace(/\*\//g, '* /');
/** The C/TS name of a check's number: a constant by its name when it is ours, else its value. */
const boundName = (spec: WireSpec, b: { value: number; constant?: string }) =>
  b.constant && spec.constants.some((c) => c.name === b.constant) ? b.constant : String(b.value);
const boundLabel = (b: Bound) => ('field' in b ? b.field : (b.constant ?? String(b.value)));

/** Every field of a record and its variants, in the order of the struct (variants flattened, merged by name). */
function structItems(rec: WireRecord): WireItem[] {
  const out: WireItem[] = [];
  for (const item of [...rec.items, ...rec.variants.flatMap((v) => v.items)]) {
    if (item.item === 'field' && (item.role === 'constant' || item.role === 'count')) continue;
    const same = out.find((o) => o.name === item.name);
    if (same) {
      if (same.item !== item.item || (same.item === 'field' && same.type !== (item as WireField).type))
        throw new Error(`${rec.name}: two variants give ${item.name} different types`);
      continue;
    }
    out.push(item);
  }
  return out;
}

/** Bytes of a record with every list, string and byte field empty; undefined when it varies otherwise. */
function fixedBytes(rec: WireRecord): number {
  let n = 0;
  for (const item of rec.items) {
    if (item.item === 'field') n += item.type === 'str' ? 2 : SCALAR_BYTES[item.type];
    else if (item.item === 'bytes' && !('field' in item.count))
      n += item.count.value + ((item.pad - (item.count.value % item.pad)) % item.pad);
  }
  return n;
}

/** Whether every element of the record has one size (so a list of them is count × that size). */
function isFixed(rec: WireRecord): boolean {
  if (rec.variants.length) return false;
  return rec.items.every((i) => {
    if (i.item === 'field') return i.type !== 'str';
    if (i.item === 'bytes') return !('field' in i.count);
    return false;
  });
}

const recordOf = (spec: WireSpec, name: string) => spec.records.find((r) => r.name === name)!;

// ── TypeScript ──

const TS_TYPE: Record<Scalar | 'str', string> = {
  u8: 'number',
  u16: 'number',
  u32: 'number',
  u64: 'number',
  i32: 'number',
  ref: 'number',
  str: 'string',
};
const readerOf = (t: Scalar) => (t === 'ref' ? 'u32' : t);

function tsItemType(item: WireItem): string {
  if (item.item === 'field') return TS_TYPE[item.type];
  if (item.item === 'list')
    return `${isScalar(item.element) || item.element === 'str' ? TS_TYPE[item.element as Scalar] : pascal(item.element)}[]`;
  return 'Uint8Array';
}

function tsMembers(items: WireItem[], indent: string): string[] {
  const out: string[] = [];
  for (const item of items) {
    if (item.item === 'field' && item.role !== 'value') continue;
    if (item.doc) out.push(`${indent}/** ${docLine(item.doc)} */`);
    out.push(`${indent}${camel(item.name)}: ${tsItemType(item)};`);
  }
  return out;
}

function tsBound(spec: WireSpec, b: Bound, local: (f: string) => string): string {
  return 'field' in b ? local(b.field) : boundName(spec, b);
}

function tsRead(spec: WireSpec, rec: WireRecord): string[] {
  const out: string[] = [];
  const local = (n: string) => `${camel(n)}_`;
  const label = (n: string) => JSON.stringify(`${rec.name}.${n}`);
  const returned: string[] = [];
  const items = (list: WireItem[], indent: string) => {
    for (const item of list) {
      const l = local(item.name);
      if (item.item === 'field') {
        const read =
          item.type === 'str'
            ? `r.str(${label(item.name)}${item.min ? `, ${item.min}` : ''})`
            : `r.${readerOf(item.type)}(${label(item.name)})`;
        out.push(`${indent}const ${l} = ${read};`);
        if (item.equals)
          out.push(`${indent}r.expect(${l}, ${tsBound(spec, item.equals, local)}, ${label(item.name)});`);
        if (item.max)
          out.push(
            `${indent}r.atMost(${l}, ${tsBound(spec, item.max, local)}, ${label(item.name)}, ${JSON.stringify(boundLabel(item.max))});`,
          );
        if (item.role === 'value' || item.role === 'tag') returned.push(`${camel(item.name)}: ${l}`);
      } else if (item.item === 'list') {
        const e = item.element;
        const read = isScalar(e)
          ? `r.${readerOf(e)}(${label(`${item.name}[]`)})`
          : e === 'str'
            ? `r.str(${label(`${item.name}[]`)})`
            : `read${pascal(e)}(r)`;
        out.push(`${indent}const ${l}: ${tsItemType(item)} = [];`);
        out.push(`${indent}for (let i = 0; i < ${local(item.count)}; i++) ${l}.push(${read});`);
        returned.push(`${camel(item.name)}: ${l}`);
      } else if (item.item === 'bytes') {
        const n = tsBound(spec, item.count, local);
        out.push(`${indent}const ${l} = r.bytes(${n}, ${label(item.name)});`);
        if (item.pad > 1) out.push(`${indent}r.pad(${n}, ${item.pad}, ${label(item.name)});`);
        returned.push(`${camel(item.name)}: ${l}`);
      } else {
        out.push(`${indent}const ${l} = r.rest(${label(item.name)});`);
        returned.push(`${camel(item.name)}: ${l}`);
      }
    }
  };
  out.push(`function read${pascal(rec.name)}(r: WireReader): ${pascal(rec.name)} {`);
  items(rec.items, '  ');
  if (rec.variants.length) {
    const tag = `${camel(rec.tag!)}: ${local(rec.tag!)}`;
    const common = returned.filter((x) => x !== tag);
    out.push(`  switch (${local(rec.tag!)}) {`);
    for (const v of rec.variants) {
      returned.length = 0;
      out.push(`    case ${upper(rec.name)}_${v.name}: {`);
      items(v.items, '      ');
      const fields = [...common, `${camel(rec.tag!)}: ${upper(rec.name)}_${v.name}`, ...returned];
      out.push(`      return { ${fields.join(', ')} };`);
      out.push('    }');
    }
    out.push('    default:');
    out.push(
      `      throw new WireError(\`${rec.name}.${rec.tag} is \${${local(rec.tag!)}}, not one of ${rec.variants.map((v) => v.value).join(', ')}\`);`,
    );
    out.push('  }');
  } else out.push(`  return { ${returned.join(', ')} };`);
  out.push('}');
  return out;
}

function tsWrite(spec: WireSpec, rec: WireRecord): string[] {
  const out: string[] = [];
  const label = (n: string) => JSON.stringify(`${rec.name}.${n}`);
  const value = (n: string) => `v.${camel(n)}`;
  const items = (list: WireItem[], all: WireItem[], indent: string) => {
    for (const item of list) {
      if (item.item === 'field') {
        let v: string;
        if (item.role === 'constant') v = tsBound(spec, item.equals!, value);
        else if (item.role === 'count') {
          const user = all.find(
            (i) =>
              (i.item === 'list' && i.count === item.name) ||
              (i.item === 'bytes' && 'field' in i.count && i.count.field === item.name),
          )!;
          v = `${value(user.name)}.length`;
        } else v = value(item.name);
        if (item.max)
          v = `w.atMost(${v}, ${tsBound(spec, item.max, value)}, ${label(item.name)}, ${JSON.stringify(boundLabel(item.max))})`;
        if (item.type === 'str')
          out.push(`${indent}w.str(${v}, ${label(item.name)}${item.min ? `, ${item.min}` : ''});`);
        else out.push(`${indent}w.${readerOf(item.type)}(${v}, ${label(item.name)});`);
      } else if (item.item === 'list') {
        const e = item.element;
        const write = isScalar(e)
          ? `w.${readerOf(e)}(e, ${label(`${item.name}[]`)})`
          : e === 'str'
            ? `w.str(e, ${label(`${item.name}[]`)})`
            : `write${pascal(e)}(w, e)`;
        out.push(`${indent}for (const e of ${value(item.name)}) ${write};`);
      } else if (item.item === 'bytes') {
        if ('field' in item.count) {
          out.push(`${indent}w.raw(${value(item.name)});`);
          if (item.pad > 1) out.push(`${indent}w.pad(${value(item.name)}.length, ${item.pad});`);
        } else
          out.push(
            `${indent}w.raw(w.exactly(${value(item.name)}, ${boundName(spec, item.count)}, ${label(item.name)}));`,
          );
      } else out.push(`${indent}w.raw(${value(item.name)});`);
    }
  };
  out.push(`function write${pascal(rec.name)}(w: WireWriter, v: ${pascal(rec.name)}): void {`);
  if (rec.variants.length) {
    out.push(`  switch (v.${camel(rec.tag!)}) {`);
    for (const variant of rec.variants) {
      out.push(`    case ${upper(rec.name)}_${variant.name}:`);
      items(rec.items, [...rec.items, ...variant.items], '      ');
      items(variant.items, [...rec.items, ...variant.items], '      ');
      out.push('      return;');
    }
    out.push('  }');
  } else items(rec.items, rec.items, '  ');
  out.push('}');
  return out;
}

/** The source of a generated TypeScript codec module for one wire .def. */
export function generateWireTs(spec: WireSpec): string {
  const out: string[] = [
    `// Generated from lang/spec/${spec.file}.def by \`npm run gen -w lang\`; do not edit. A test checks it is current.`,
    '',
    "import { WireError, WireReader, WireWriter } from './wire.js';",
    '',
  ];
  for (const c of spec.constants) {
    const doc =
      c.macro === 'FRAME' ? `Frame header field at this offset (${c.bytes} bytes): ${c.doc}` : c.doc;
    out.push(
      `/** ${docLine(doc)} */`,
      `export const ${c.name} = ${literal(c.value, c.macro === 'FRAME' ? '' : c.name)};`,
    );
  }
  if (spec.messages.length) {
    out.push(
      '',
      '/** Request types; the reply to one has its type | DBG_REPLY_BIT. */',
      'export enum MessageType {',
    );
    for (const m of spec.messages) out.push(`  /** ${docLine(m.doc)} */`, `  ${m.name} = ${hex(m.type)},`);
    out.push('}', '', "/** Types of the kernel's unsolicited messages. */", 'export enum EventType {');
    for (const e of spec.events) out.push(`  /** ${docLine(e.doc)} */`, `  ${e.name} = ${hex(e.type)},`);
    out.push('}', '', '/** The codes of an ERROR reply. */', 'export enum DebugErrorCode {');
    for (const c of spec.constants.filter((c) => c.macro === 'DERR'))
      out.push(`  /** ${docLine(c.doc)} */`, `  ${c.name} = ${c.value},`);
    out.push('}', '');
    out.push(
      'export interface MessageSpec {',
      '  name: string;',
      '  type: number;',
      '  /** The protocol revision that added it. */',
      '  revision: number;',
      '  /** The records of its payloads; null for an empty payload. */',
      '  request: string | null;',
      '  reply: string | null;',
      '}',
      'export const MESSAGES: readonly MessageSpec[] = [',
    );
    for (const m of spec.messages)
      out.push(
        `  { name: '${m.name}', type: ${hex(m.type)}, revision: ${m.revision}, request: ${m.request ? `'${m.request}'` : 'null'}, reply: ${m.reply ? `'${m.reply}'` : 'null'} },`,
      );
    out.push('];', '');
    out.push('/** The revision that added each request after the first (absent: revision 0). */');
    out.push('export const REQUEST_REVISION: Partial<Record<MessageType, number>> = {');
    for (const m of spec.messages.filter((m) => m.revision > 0))
      out.push(`  [MessageType.${m.name}]: ${m.revision},`);
    out.push('};');
  }
  for (const rec of spec.records) {
    out.push('');
    for (const v of rec.variants)
      out.push(
        `/** ${rec.name}.${rec.tag}: ${docLine(v.doc)} */`,
        `export const ${upper(rec.name)}_${v.name} = ${v.value};`,
      );
    out.push(`/** ${docLine(rec.doc)} */`);
    if (rec.variants.length) {
      out.push(`export type ${pascal(rec.name)} =`);
      for (const v of rec.variants) {
        const members = [
          ...tsMembers(
            rec.items.filter((i) => i.name !== rec.tag),
            '      ',
          ),
          `      ${camel(rec.tag!)}: typeof ${upper(rec.name)}_${v.name};`,
          ...tsMembers(v.items, '      '),
        ];
        out.push('  | {', ...members.map((m) => m.slice(2)), '    }');
      }
      out[out.length - 1] += ';';
    } else {
      out.push(`export interface ${pascal(rec.name)} {`, ...tsMembers(rec.items, '  '), '}');
    }
    out.push(`export function encode${pascal(rec.name)}(v: ${pascal(rec.name)}): Uint8Array {`);
    out.push(
      `  const w = new WireWriter('${rec.name}');`,
      `  write${pascal(rec.name)}(w, v);`,
      '  return w.finish();',
      '}',
    );
    out.push(`/** Decodes a whole payload; throws WireError unless it has exactly this record's shape. */`);
    out.push(`export function decode${pascal(rec.name)}(p: Uint8Array): ${pascal(rec.name)} {`);
    out.push(
      `  const r = new WireReader(p, '${rec.name}');`,
      `  const v = read${pascal(rec.name)}(r);`,
      '  r.end();',
      '  return v;',
      '}',
    );
    out.push(...tsRead(spec, rec), ...tsWrite(spec, rec));
  }
  out.push('');
  return out.join('\n');
}

// ── C ──

const C_TYPE: Record<Scalar, string> = {
  u8: 'uint8_t',
  u16: 'uint16_t',
  u32: 'uint32_t',
  u64: 'uint64_t',
  i32: 'int32_t',
  ref: 'uint32_t',
};
const cGet = (t: Scalar, at: string) =>
  t === 'u8'
    ? `${at}[0]`
    : t === 'i32'
      ? `(int32_t)wire_get32(${at})`
      : `wire_get${t === 'ref' ? 32 : t.slice(1)}(${at})`;
const cPut = (t: Scalar) => (t === 'ref' || t === 'i32' ? 'wire_put32' : `wire_put${t.slice(1)}`);
const cConst = (spec: WireSpec, b: Bound, local: (f: string) => string) =>
  'field' in b ? local(b.field) : boundName(spec, b);
const cValue = (v: number, name = '') =>
  v > 0x7fffffff ? `${hex(v, 8)}u` : v > 0xffff || name.endsWith('MAGIC') ? hex(v) : String(v);
/** How a constant is written: hex when large or a magic number. */
const literal = (v: number, name: string) => (v > 0xffff || name.endsWith('MAGIC') ? hex(v) : String(v));

/** Whether the kernel writes this record: its lists and bytes come last, where the caller appends. */
function writable(rec: WireRecord): boolean {
  if (rec.variants.length) return false;
  const tailAt = rec.items.findIndex((i) => i.item !== 'field');
  return tailAt < 0 || tailAt === rec.items.length - 1;
}

function cStruct(rec: WireRecord): string[] {
  const out = [`/** ${docLine(rec.doc)} */`, `struct ${rec.name} {`];
  for (const item of structItems(rec)) {
    let decl: string;
    if (item.item === 'field') decl = item.type === 'str' ? 'struct wire_bytes' : C_TYPE[item.type];
    else if (item.item === 'list') decl = 'struct wire_list';
    else decl = 'struct wire_bytes';
    const what =
      item.item === 'list'
        ? `${item.doc ? `${item.doc} ` : ''}(${isScalar(item.element) || item.element === 'str' ? item.element : `struct ${item.element}`} elements)`
        : item.doc;
    out.push(`  ${decl} ${item.name};${what ? ` /**< ${docLine(what)} */` : ''}`);
  }
  if (structItems(rec).length === 0) out.push('  char unused; /**< C has no empty structs */');
  out.push('};');
  return out;
}

function cCheck(spec: WireSpec, rec: WireRecord): string[] {
  const out: string[] = [`static void check_${rec.name}(struct wire_in *c) {`];
  const all = [...rec.items, ...rec.variants.flatMap((v) => v.items)];
  const referenced = new Set<string>();
  for (const i of all) {
    if (i.item === 'list') referenced.add(i.count);
    if (i.item === 'bytes' && 'field' in i.count) referenced.add(i.count.field);
    if (i.item === 'field' && i.max && 'field' in i.max) referenced.add(i.max.field);
  }
  if (rec.tag) referenced.add(rec.tag);
  const local = (n: string) => `f_${n}`;
  const items = (list: WireItem[], indent: string) => {
    for (const item of list) {
      const name = `${rec.name}.${item.name}`;
      const at = `${name} is cut short`;
      if (item.item === 'field') {
        if (item.type === 'str') {
          out.push(
            `${indent}wire_in_str(c, ${item.min ?? 0}, "${item.min ? `${name} is cut short or too short` : at}");`,
          );
          continue;
        }
        const t = item.type;
        const read = `wire_in_${t === 'ref' || t === 'i32' ? 'u32' : t}(c, "${at}")`;
        const needed = referenced.has(item.name) || item.equals || item.max;
        if (!needed) {
          out.push(`${indent}wire_in_skip(c, ${SCALAR_BYTES[t]}, "${at}");`);
          continue;
        }
        out.push(`${indent}${t === 'u64' ? 'uint64_t' : 'uint32_t'} ${local(item.name)} = ${read};`);
        if (item.equals)
          out.push(
            `${indent}if (${local(item.name)} != ${cConst(spec, item.equals, local)}) wire_in_fail(c, "${name} is not ${boundLabel(item.equals)}");`,
          );
        if (item.max)
          out.push(
            `${indent}if (${local(item.name)} > ${cConst(spec, item.max, local)}) wire_in_fail(c, "${name} is more than ${boundLabel(item.max)}");`,
          );
      } else if (item.item === 'list') {
        const n = local(item.count);
        const e = item.element;
        if (isScalar(e)) out.push(`${indent}wire_in_skip(c, (uint64_t)${n} * ${SCALAR_BYTES[e]}, "${at}");`);
        else if (e === 'str')
          out.push(`${indent}for (uint32_t i = 0; i < ${n} && !c->why; i++) wire_in_str(c, 0, "${at}");`);
        else if (isFixed(recordOf(spec, e)))
          out.push(`${indent}wire_in_skip(c, (uint64_t)${n} * ${upper(e)}_FIXED_BYTES, "${at}");`);
        else out.push(`${indent}for (uint32_t i = 0; i < ${n} && !c->why; i++) check_${e}(c);`);
      } else if (item.item === 'bytes') {
        const n = cConst(spec, item.count, local);
        out.push(`${indent}wire_in_skip(c, ${n}, "${at}");`);
        if (item.pad > 1) out.push(`${indent}wire_in_pad(c, ${n}, ${item.pad}, "${at}");`);
      } else out.push(`${indent}c->pos = c->len;`);
    }
  };
  items(rec.items, '  ');
  if (rec.variants.length) {
    out.push(`  switch (${local(rec.tag!)}) {`);
    for (const v of rec.variants) {
      out.push(`  case ${upper(rec.name)}_${v.name}: {`);
      items(v.items, '    ');
      out.push('    break;', '  }');
    }
    out.push(`  default: wire_in_fail(c, "${rec.name}.${rec.tag} is none of its cases");`);
    out.push('  }');
  }
  out.push('}');
  return out;
}

function cRead(spec: WireSpec, rec: WireRecord): string[] {
  const out: string[] = [
    `const uint8_t *read_${rec.name}(const uint8_t *at, const uint8_t *end, struct ${rec.name} *v) {`,
    `  *v = (struct ${rec.name}){0};`,
  ];
  const local = (n: string) => `n_${n}`;
  const items = (list: WireItem[], indent: string) => {
    for (const item of list) {
      if (item.item === 'field') {
        if (item.type === 'str') {
          out.push(`${indent}at = wire_read_str(at, &v->${item.name});`);
        } else if (item.role === 'count') {
          out.push(`${indent}uint32_t ${local(item.name)} = ${cGet(item.type, 'at')};`);
          out.push(`${indent}at += ${SCALAR_BYTES[item.type]};`);
        } else if (item.role === 'constant') {
          out.push(`${indent}at += ${SCALAR_BYTES[item.type]}; /* ${item.name} */`);
        } else {
          out.push(`${indent}v->${item.name} = ${cGet(item.type, 'at')};`);
          out.push(`${indent}at += ${SCALAR_BYTES[item.type]};`);
        }
      } else if (item.item === 'list') {
        const n = local(item.count);
        const e = item.element;
        out.push(`${indent}v->${item.name} = (struct wire_list){at, ${n}};`);
        if (isScalar(e)) out.push(`${indent}at += (size_t)${n} * ${SCALAR_BYTES[e]};`);
        else if (e === 'str') {
          out.push(`${indent}for (uint32_t i = 0; i < ${n}; i++) {`);
          out.push(`${indent}  struct wire_bytes s;`, `${indent}  at = wire_read_str(at, &s);`, `${indent}}`);
        } else if (isFixed(recordOf(spec, e)))
          out.push(`${indent}at += (size_t)${n} * ${upper(e)}_FIXED_BYTES;`);
        else {
          out.push(`${indent}for (uint32_t i = 0; i < ${n}; i++) {`);
          out.push(`${indent}  struct ${e} e;`, `${indent}  at = read_${e}(at, end, &e);`, `${indent}}`);
        }
      } else if (item.item === 'bytes') {
        const n = 'field' in item.count ? local(item.count.field) : boundName(spec, item.count);
        out.push(`${indent}v->${item.name} = (struct wire_bytes){at, ${n}};`);
        out.push(
          `${indent}at += ${item.pad > 1 ? `(${n} + ${item.pad - 1}u) / ${item.pad}u * ${item.pad}u` : n};`,
        );
      } else {
        out.push(
          `${indent}v->${item.name} = (struct wire_bytes){at, (uint32_t)(end - at)};`,
          `${indent}at = end;`,
        );
      }
    }
  };
  items(rec.items, '  ');
  if (rec.variants.length) {
    out.push(`  switch (v->${rec.tag}) {`);
    for (const v of rec.variants) {
      out.push(`  case ${upper(rec.name)}_${v.name}: {`);
      items(v.items, '    ');
      out.push('    break;', '  }');
    }
    out.push('  }');
  }
  if (!rec.items.some((i) => i.item === 'rest')) out.push('  (void)end;');
  out.push('  return at;', '}');
  return out;
}

function cPutFn(spec: WireSpec, rec: WireRecord): string[] {
  const tail = rec.items.find((i) => i.item !== 'field');
  const returns = tail?.item === 'bytes' || tail?.item === 'rest';
  const out = [
    `${returns ? 'uint8_t *' : 'void '}put_${rec.name}(struct wire_out *o, const struct ${rec.name} *v) {`,
  ];
  for (const item of rec.items) {
    if (item.item === 'field') {
      if (item.type === 'str') out.push(`  wire_put_str(o, v->${item.name});`);
      else if (item.role === 'constant')
        out.push(`  ${cPut(item.type)}(o, ${cConst(spec, item.equals!, (f) => `v->${f}`)});`);
      else if (item.role === 'count') {
        const user = rec.items.find(
          (i) =>
            (i.item === 'list' && i.count === item.name) ||
            (i.item === 'bytes' && 'field' in i.count && i.count.field === item.name),
        )!;
        out.push(
          `  ${cPut(item.type)}(o, (${C_TYPE[item.type]})v->${user.name}.${user.item === 'list' ? 'count' : 'len'});`,
        );
      } else out.push(`  ${cPut(item.type)}(o, ${item.type === 'i32' ? '(uint32_t)' : ''}v->${item.name});`);
    } else if (item.item === 'list') {
      out.push(`  /* then v->${item.name}.count elements, written by the caller */`);
    } else if (item.item === 'bytes') {
      out.push(`  return wire_put_bytes(o, v->${item.name}.p, v->${item.name}.len, ${item.pad});`);
    } else out.push(`  return wire_put_bytes(o, v->${item.name}.p, v->${item.name}.len, 1);`);
  }
  if (structItems(rec).length === 0 || !rec.items.some((i) => i.item === 'field' && i.role !== 'constant'))
    out.splice(1, 0, '  (void)v;');
  out.push('}');
  return out;
}

const serveName = (m: WireMessage) => `serve_${m.name.toLowerCase()}`;

/** The sources of the generated C header and file for one wire .def: { h, c }, named base.h / base.c. */
export function generateWireC(spec: WireSpec, base: string): { h: string; c: string } {
  const guard = `PHANTOM_${upper(base)}_H`;
  const h: string[] = [
    '/*',
    ` * ${base}.h — generated from lang/spec/${spec.file}.def by \`npm run gen -w lang\`; do not edit (a test`,
    ' * checks it is current). For every record of the spec: a struct; decode_RECORD, which checks a',
    ' * whole payload (its length, every count and limit, every fixed field) and may fail; read_RECORD,',
    ' * which reads one element of a checked payload and cannot fail; and for the records the kernel',
    ' * writes, put_RECORD. Strings, lists and bytes point into the payload they were decoded from.',
    ' */',
    `#ifndef ${guard}`,
    `#define ${guard}`,
    '',
    '#include "wire.h"',
    '',
  ];
  for (const c of spec.constants) {
    const doc =
      c.macro === 'FRAME' ? `Frame header field at this offset (${c.bytes} bytes): ${c.doc}` : c.doc;
    h.push(
      `/** ${docLine(doc)} */`,
      `#define ${c.name} ${cValue(c.value, c.macro === 'FRAME' ? '' : c.name)}`,
    );
  }
  for (const m of spec.messages) h.push(`/** ${docLine(m.doc)} */`, `#define DBG_${m.name} ${hex(m.type)}`);
  for (const e of spec.events) h.push(`/** ${docLine(e.doc)} */`, `#define ${e.name} ${hex(e.type)}`);
  h.push('');
  for (const rec of spec.records) {
    for (const v of rec.variants)
      h.push(
        `/** ${rec.name}.${rec.tag}: ${docLine(v.doc)} */`,
        `#define ${upper(rec.name)}_${v.name} ${v.value}`,
      );
    h.push(
      `/** Bytes of ${rec.name} with its lists, strings and bytes empty${isFixed(rec) ? ' (its size: it has none)' : ''}. */`,
      `#define ${upper(rec.name)}_FIXED_BYTES ${fixedBytes(rec)}u`,
    );
  }
  h.push('');
  const c: string[] = [
    `/* ${base}.c — generated from lang/spec/${spec.file}.def by \`npm run gen -w lang\`; do not edit. */`,
    `#include "${base}.h"`,
    '',
  ];
  for (const rec of spec.records) c.push(`static void check_${rec.name}(struct wire_in *c);`);
  for (const rec of spec.records) {
    h.push(...cStruct(rec));
    h.push(
      `/** Checks that [p, p + len) is one ${rec.name} and nothing else, then fills *out; returns 0 or why not. */`,
      `const char *decode_${rec.name}(const uint8_t *p, uint32_t len, struct ${rec.name} *out);`,
      `/** Reads the ${rec.name} at \`at\` of a checked payload ending at \`end\`; returns where it ends. */`,
      `const uint8_t *read_${rec.name}(const uint8_t *at, const uint8_t *end, struct ${rec.name} *v);`,
    );
    c.push('', ...cCheck(spec, rec), '');
    c.push(
      `const char *decode_${rec.name}(const uint8_t *p, uint32_t len, struct ${rec.name} *out) {`,
      '  struct wire_in c = {p, len, 0, 0};',
      `  check_${rec.name}(&c);`,
      `  if (!c.why && c.pos != len) c.why = "${rec.name}: bytes after its end";`,
      '  if (c.why) return c.why;',
      `  read_${rec.name}(p, p + len, out);`,
      '  return 0;',
      '}',
      '',
      ...cRead(spec, rec),
    );
    if (spec.messages.length && writable(rec)) {
      const tail = rec.items.find((i) => i.item !== 'field');
      h.push(
        tail?.item === 'list'
          ? `/** Writes *v up to its list; the caller then writes v->${tail.name}.count elements. */`
          : tail
            ? `/** Writes *v; ${tail.name}.p 0 writes zeros instead. Returns where ${tail.name} went, 0 when o is full. */`
            : '/** Writes *v. */',
        `${tail?.item === 'bytes' || tail?.item === 'rest' ? 'uint8_t *' : 'void '}put_${rec.name}(struct wire_out *o, const struct ${rec.name} *v);`,
      );
      c.push('', ...cPutFn(spec, rec));
    }
    h.push('');
  }
  h.push(
    `/** Every record of ${spec.file}.def by name, with a decoder that checks a payload as that record (for tools and fuzzing). */`,
    `extern const struct wire_record ${base}_records[${spec.records.length}];`,
    '',
  );
  c.push('');
  for (const rec of spec.records)
    c.push(
      `static const char *check_any_${rec.name}(const uint8_t *p, uint32_t len) {`,
      `  struct ${rec.name} v;`,
      `  return decode_${rec.name}(p, len, &v);`,
      '}',
    );
  c.push(`const struct wire_record ${base}_records[${spec.records.length}] = {`);
  for (const rec of spec.records) c.push(`  {"${rec.name}", check_any_${rec.name}},`);
  c.push('};');
  if (spec.messages.length) {
    h.push(
      '/* Implemented by the debug agent: one function per request, called with its payload decoded. */',
    );
    for (const m of spec.messages)
      h.push(`void ${serveName(m)}(uint32_t id${m.request ? `, const struct ${m.request} *request` : ''});`);
    h.push(
      '/**',
      ' * Decodes the payload of a request of this type and hands it to its serve_ function. Returns 0,',
      ' * or DE_UNKNOWN or DE_BAD_REQUEST with *why (nothing served) when the type is unknown or the',
      " * payload does not have the request's shape.",
      ' */',
      'int serve_request(uint8_t type, uint32_t id, const uint8_t *p, uint32_t len, const char **why);',
      '',
    );
    c.push(
      '',
      'int serve_request(uint8_t type, uint32_t id, const uint8_t *p, uint32_t len, const char **why) {',
      '  switch (type) {',
    );
    for (const m of spec.messages) {
      c.push(`  case DBG_${m.name}: {`);
      if (m.request) {
        c.push(
          `    struct ${m.request} request;`,
          `    if ((*why = decode_${m.request}(p, len, &request))) return DE_BAD_REQUEST;`,
          `    ${serveName(m)}(id, &request);`,
        );
      } else {
        c.push(
          '    if (len) {',
          `      *why = "${m.name} takes no payload";`,
          '      return DE_BAD_REQUEST;',
          '    }',
          `    ${serveName(m)}(id);`,
        );
      }
      c.push('    return 0;', '  }');
    }
    c.push('  default:', '    *why = "unknown request type";', '    return DE_UNKNOWN;', '  }', '}');
  }
  h.push('#endif', '');
  c.push('');
  return { h: h.join('\n'), c: c.join('\n') };
}

// ── Markdown ──

const cell = (s: string) => s.replace(/\|/g, '\\|');

function itemType(item: WireItem): string {
  if (item.item === 'field') return item.type;
  if (item.item === 'list') return `${item.count} × ${item.element}`;
  if (item.item === 'bytes')
    return `u8[${'field' in item.count ? item.count.field : boundLabel(item.count)}]${item.pad > 1 ? `, zeros to a multiple of ${item.pad}` : ''}`;
  return 'u8[] to the end';
}

function itemCheck(item: WireItem): string {
  if (item.item !== 'field') return '';
  if (item.equals) return `= ${boundLabel(item.equals)}`;
  if (item.max) return `≤ ${boundLabel(item.max)}`;
  if (item.min) return `≥ ${item.min} bytes`;
  return '';
}

function recordTable(rec: WireRecord): string {
  const rows = ['| field | type | check | meaning |', '| --- | --- | --- | --- |'];
  const add = (items: WireItem[]) => {
    for (const i of items)
      rows.push(`| ${i.name} | ${cell(itemType(i))} | ${cell(itemCheck(i))} | ${cell(i.doc)} |`);
  };
  add(rec.items);
  for (const v of rec.variants) {
    rows.push(`| *${rec.tag} = ${v.value} (${v.name})* | | | ${cell(v.doc)} |`);
    add(v.items);
  }
  return [`**${rec.name}** — ${rec.doc}`, '', ...rows].join('\n');
}

/** Markdown tables keyed by the name of their `<!-- BEGIN name -->` markers in the docs. */
export function generateWireDocTables(spec: WireSpec): Record<string, string> {
  const prefix = spec.file.replace(/_/g, '-');
  const tables: Record<string, string> = {};
  const constants = (macro: string) =>
    [
      '| name | value | meaning |',
      '| --- | --- | --- |',
      ...spec.constants
        .filter((c) => c.macro === macro)
        .map((c) => `| ${c.name} | ${literal(c.value, c.name)} | ${cell(c.doc)} |`),
    ].join('\n');
  if (spec.messages.length) {
    tables[`${prefix}-constants`] = constants('PROTO');
    tables[`${prefix}-frame`] = [
      '| field | offset | bytes | contents |',
      '| --- | --- | --- | --- |',
      ...spec.constants
        .filter((c) => c.macro === 'FRAME')
        .map((c) => `| ${c.name} | ${c.value} | ${c.bytes} | ${cell(c.doc)} |`),
    ].join('\n');
    tables[`${prefix}-errors`] = [
      '| code | name | when |',
      '| --- | --- | --- |',
      ...spec.constants
        .filter((c) => c.macro === 'DERR')
        .map((c) => `| ${c.value} | ${c.name.replace(/^DE_/, '')} | ${cell(c.doc)} |`),
    ].join('\n');
    tables[`${prefix}-messages`] = [
      '| type | name | revision | request | reply | meaning |',
      '| --- | --- | --- | --- | --- | --- |',
      ...spec.messages.map(
        (m) =>
          `| ${hex(m.type)} | ${m.name} | ${m.revision} | ${m.request ?? '—'} | ${m.reply ?? '—'} | ${cell(m.doc)} |`,
      ),
    ].join('\n');
    tables[`${prefix}-events`] = [
      '| type | name | revision | payload | meaning |',
      '| --- | --- | --- | --- | --- |',
      ...spec.events.map(
        (e) => `| ${hex(e.type)} | ${e.name} | ${e.revision} | ${e.payload} | ${cell(e.doc)} |`,
      ),
    ].join('\n');
  } else tables[`${prefix}-constants`] = constants('BLOB');
  tables[`${prefix}-records`] = spec.records.map((r) => recordTable(r)).join('\n\n');
  return tables;
}

/** The wire .defs and the base names of their generated TypeScript and C. */
export const WIRE_SPECS = [
  { file: 'debug', ts: 'debug-wire', c: 'debug_wire' },
  { file: 'class_blob', ts: 'class-blob-wire', c: 'class_blob_wire' },
] as const;

/** The constants of the other spec files a wire spec may name in a check. */
export function externalConstants(texts: Record<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const text of Object.values(texts))
    for (const r of parseDef(text))
      if (typeof r.args[0] === 'string' && typeof r.args[1] === 'number') out.set(r.args[0], r.args[1]);
  return out;
}

/**
 * Every file the wire specs generate, keyed by its path from the repository's root. `texts` holds
 * every spec/*.def by base name (the others supply the constants a check may name).
 */
export function generateWireFiles(texts: Record<string, string>): Record<string, string> {
  const external = externalConstants(
    Object.fromEntries(Object.entries(texts).filter(([n]) => !WIRE_SPECS.some((w) => w.file === n))),
  );
  const files: Record<string, string> = {};
  for (const w of WIRE_SPECS) {
    const spec = parseWireSpec(w.file, texts[w.file]!, external);
    files[`lang/src/common/spec/${w.ts}.ts`] = generateWireTs(spec);
    const { h, c } = generateWireC(spec, w.c);
    files[`kernel-src/core/${w.c}.h`] = h;
    files[`kernel-src/core/${w.c}.c`] = c;
  }
  return files;
}

/** The doc tables of every wire spec (see generateWireDocTables). */
export function generateAllWireDocTables(texts: Record<string, string>): Record<string, string> {
  const external = externalConstants(
    Object.fromEntries(Object.entries(texts).filter(([n]) => !WIRE_SPECS.some((w) => w.file === n))),
  );
  return Object.assign(
    {},
    ...WIRE_SPECS.map((w) => generateWireDocTables(parseWireSpec(w.file, texts[w.file]!, external))),
  );
}

/** The documents whose tables the wire specs fill, from the repository's root. */
export const WIRE_DOCS = ['kernel-src/docs/debug-protocol.md'] as const;
