/**
 * Turns the spec tables (spec/*.def) into the two things derived from them: the TypeScript
 * constants module (generated.ts) and the Markdown tables inside docs/*.md. `npm run gen -w
 * lang` writes both; tests regenerate them in memory and compare, so the .def files, the
 * TypeScript and the docs cannot drift apart.
 */
import { type DefRecord, type DefValue, parseDef } from './def-parse.js';

export interface SpecTexts {
  opcodes: string;
  natives: string;
  layout: string;
  store: string;
}

export const SPEC_FILES: readonly (keyof SpecTexts)[] = ['opcodes', 'natives', 'layout', 'store'];

const lit = (v: DefValue): string =>
  typeof v === 'number' ? (v > 0xffff ? `0x${v.toString(16)}` : String(v)) : JSON.stringify(v);

/** The source of src/common/spec/generated.ts. */
export function generateConstants(texts: SpecTexts): string {
  const out: string[] = [
    '// Generated from lang/spec/*.def by `npm run gen -w lang`; do not edit. A test checks it is current.',
    '',
  ];
  const seen = new Set<string>();
  const constant = (name: DefValue, value: DefValue, doc?: DefValue) => {
    const n = String(name);
    if (seen.has(n)) throw new Error(`spec: duplicate name ${n}`);
    seen.add(n);
    if (doc !== undefined) out.push(`/** ${String(doc).replace(/\*\//g, '* /')} */`);
    out.push(`export const ${n} = ${lit(value)};`);
  };
  const ops = parseDef(texts.opcodes);
  out.push('// ── opcodes.def ──');
  for (const r of ops) constant(`OP_${r.args[0]}`, r.args[1]!, r.args[6]);
  out.push(
    'export interface OpcodeInfo { name: string; code: number; operands: string; operandBytes: number; pop: number; push: number; doc: string }',
  );
  out.push('export const OPCODES: readonly OpcodeInfo[] = [');
  for (const r of ops) {
    const [name, code, operands, bytes, pop, push, doc] = r.args;
    out.push(
      `  { name: ${lit(name!)}, code: ${code}, operands: ${lit(operands!)}, operandBytes: ${bytes}, pop: ${pop}, push: ${push}, doc: ${lit(doc!)} },`,
    );
  }
  out.push('];', '');
  out.push('// ── natives.def ──');
  const natives = parseDef(texts.natives);
  for (const r of natives) constant(`N_${r.args[0]}`, r.args[1]!);
  out.push(
    'export interface NativeInfo { name: string; id: number; className: string; method: string; isStatic: boolean; argc: number; signature: string; doc: string }',
  );
  out.push('export const NATIVES: readonly NativeInfo[] = [');
  for (const r of natives) {
    const [name, id, cls, method, kind, argc, sig, doc] = r.args;
    out.push(
      `  { name: ${lit(name!)}, id: ${id}, className: ${lit(cls!)}, method: ${lit(method!)}, isStatic: ${kind === 'STATIC'}, argc: ${argc}, signature: ${lit(sig!)}, doc: ${lit(doc!)} },`,
    );
  }
  out.push('];', '');
  out.push('// ── layout.def ──');
  const layout = parseDef(texts.layout);
  const classes: DefRecord[] = [];
  const errors: DefRecord[] = [];
  for (const r of layout) {
    const a = r.args;
    switch (r.macro) {
      case 'FORMAT':
      case 'KIND':
      case 'FLAG':
      case 'CONST':
        constant(a[0]!, a[1]!, a[2]);
        break;
      case 'HEADER':
      case 'SPACE':
        constant(a[0]!, a[1]!, a[3]);
        break;
      case 'CLASS':
        constant(a[0]!, a[1]!, a[2]);
        classes.push(r);
        break;
      case 'FIELD':
        constant(a[1]!, a[2]!, a[3]);
        break;
      case 'ERROR':
        constant(a[0]!, a[1]!, a[2]);
        errors.push(r);
        break;
      default:
        throw new Error(`layout.def line ${r.line}: unknown record ${r.macro}`);
    }
  }
  out.push(
    'export interface InternalClassInfo { name: string; id: number; fullName: string; kind: string; slots: number; doc: string }',
  );
  out.push('export const INTERNAL_CLASSES: readonly InternalClassInfo[] = [');
  for (const r of classes) {
    const [name, id, full, kind, slots, doc] = r.args;
    out.push(
      `  { name: ${lit(name!)}, id: ${id}, fullName: ${lit(full!)}, kind: ${lit(kind!)}, slots: ${slots}, doc: ${lit(doc!)} },`,
    );
  }
  out.push('];');
  out.push('export interface ErrorInfo { name: string; code: number; message: string }');
  out.push('export const ERRORS: readonly ErrorInfo[] = [');
  for (const r of errors)
    out.push(`  { name: ${lit(r.args[0]!)}, code: ${r.args[1]}, message: ${lit(r.args[2]!)} },`);
  out.push('];', '');
  out.push('// ── store.def ──');
  for (const r of parseDef(texts.store)) {
    if (r.macro === 'STORE') constant(r.args[0]!, r.args[1]!, r.args[2]);
    else constant(r.args[0]!, r.args[1]!, `${r.macro} field (${r.args[2]} bytes): ${r.args[3]}`);
  }
  out.push('');
  return out.join('\n');
}

const cell = (v: DefValue) => String(v).replace(/\|/g, '\\|');
const hex2 = (n: number) => `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;
const effect = (n: DefValue) => (n === -1 ? 'var' : String(n));

/** Markdown tables keyed by the name used in the docs' `<!-- BEGIN name -->` markers. */
export function generateDocTables(texts: SpecTexts): Record<string, string> {
  const tables: Record<string, string> = {};
  const ops = parseDef(texts.opcodes);
  tables.opcodes = [
    '| code | name | operands | bytes | pop | push | meaning |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...ops.map((r) => {
      const [name, code, operands, bytes, pop, push, doc] = r.args;
      return `| ${hex2(code as number)} | ${name} | ${operands} | ${1 + (bytes as number)} | ${effect(pop!)} | ${effect(push!)} | ${cell(doc!)} |`;
    }),
  ].join('\n');
  tables.natives = [
    '| id | class | method | kind | argc | signature | meaning |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...parseDef(texts.natives).map((r) => {
      const [, id, cls, method, kind, argc, sig, doc] = r.args;
      return `| ${id} | ${cls} | ${method} | ${String(kind).toLowerCase()} | ${argc} | \`${sig}\` | ${cell(doc!)} |`;
    }),
  ].join('\n');
  const layout = parseDef(texts.layout);
  const pick = (macro: string) => layout.filter((r) => r.macro === macro);
  const valueTable = (macro: string) =>
    [
      '| name | value | meaning |',
      '| --- | --- | --- |',
      ...pick(macro).map((r) => `| ${r.args[0]} | ${lit(r.args[1]!)} | ${cell(r.args[2]!)} |`),
    ].join('\n');
  tables.format = valueTable('FORMAT');
  tables.kinds = [valueTable('KIND'), ...valueTable('FLAG').split('\n').slice(2)].join('\n');
  tables.consts = valueTable('CONST');
  const offsetTable = (rs: DefRecord[]) =>
    [
      '| field | offset | bytes | meaning |',
      '| --- | --- | --- | --- |',
      ...rs.map((r) => `| ${r.args[0]} | ${r.args[1]} | ${r.args[2]} | ${cell(r.args[3]!)} |`),
    ].join('\n');
  tables.header = offsetTable(pick('HEADER'));
  tables.space = offsetTable(pick('SPACE'));
  tables.classes = [
    '| id | name | full name | payload | slots | meaning |',
    '| --- | --- | --- | --- | --- | --- |',
    ...pick('CLASS').map(
      (r) =>
        `| ${r.args[1]} | ${r.args[0]} | ${r.args[2]} | ${r.args[3]} | ${r.args[4] === -1 ? 'varies' : r.args[4]} | ${cell(r.args[5]!)} |`,
    ),
  ].join('\n');
  tables.fields = [
    '| class | field | slot | meaning |',
    '| --- | --- | --- | --- |',
    ...pick('FIELD').map((r) => `| ${r.args[0]} | ${r.args[1]} | ${r.args[2]} | ${cell(r.args[3]!)} |`),
  ].join('\n');
  tables.errors = [
    '| code | name | message | when |',
    '| --- | --- | --- | --- |',
    ...pick('ERROR').map((r) => `| ${r.args[1]} | ${r.args[0]} | ${r.args[2]} | ${cell(r.args[3]!)} |`),
  ].join('\n');
  const store = parseDef(texts.store);
  tables['store-constants'] = [
    '| name | value | meaning |',
    '| --- | --- | --- |',
    ...store
      .filter((r) => r.macro === 'STORE')
      .map((r) => `| ${r.args[0]} | ${lit(r.args[1]!)} | ${cell(r.args[2]!)} |`),
  ].join('\n');
  for (const m of ['SB', 'IR', 'IRE', 'IX', 'IXE', 'GEN', 'GME', 'PME'])
    tables[`store-${m.toLowerCase()}`] = offsetTable(store.filter((r) => r.macro === m));
  return tables;
}

/** Replaces the body of every `<!-- BEGIN name -->` … `<!-- END name -->` block with its table. */
export function fillDocTables(doc: string, tables: Record<string, string>): string {
  return doc.replace(
    /(<!-- BEGIN ([\w-]+) -->\n)(?:[\s\S]*?\n)?(<!-- END \2 -->)/g,
    (whole, begin: string, name: string, end: string) => {
      const table = tables[name];
      return table === undefined ? whole : `${begin}${table}\n${end}`;
    },
  );
}
