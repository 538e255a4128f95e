// Fuzzes the codecs generated from the wire specs (debug.def, class_blob.def): random values of
// every record round-trip; random and mutated payloads either decode or fail with a WireError,
// and whatever decodes encodes back to the same bytes (modulo strings that are not UTF-8).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../seeded-random.js';
import * as BlobWire from './class-blob-wire.js';
import * as DebugWire from './debug-wire.js';
import { PAGE_SIZE } from './generated.js';
import { WireError } from './wire.js';
import {
  externalConstants,
  parseWireSpec,
  WIRE_SPECS,
  type WireItem,
  type WireRecord,
  type WireSpec,
} from './wire-gen.js';

const lang = fileURLToPath(new URL('../../../', import.meta.url));
const texts = Object.fromEntries(
  readdirSync(join(lang, 'spec'))
    .filter((f) => f.endsWith('.def'))
    .map((f) => [f.slice(0, -4), readFileSync(join(lang, 'spec', f), 'utf8')]),
);
const external = externalConstants(
  Object.fromEntries(Object.entries(texts).filter(([n]) => !WIRE_SPECS.some((w) => w.file === n))),
);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);

type Codec = { encode: (v: unknown) => Uint8Array; decode: (p: Uint8Array) => unknown };
const pascal = (s: string) => s.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function codec(module: Record<string, unknown>, rec: string): Codec {
  const encode = module[`encode${pascal(rec)}`] as Codec['encode'];
  const decode = module[`decode${pascal(rec)}`] as Codec['decode'];
  assert.ok(typeof encode === 'function' && typeof decode === 'function', `codecs of ${rec}`);
  return { encode, decode };
}

/** A random value of a record, within its checks (lists kept short). */
function randomValue(spec: WireSpec, rec: WireRecord, rnd: () => number): Record<string, unknown> {
  const int = (max: number) => Math.floor(rnd() * (max + 1));
  const v: Record<string, unknown> = {};
  const limit = (b: { value: number } | { field: string } | undefined, fallback: number) =>
    b === undefined ? fallback : 'field' in b ? (v[camel(b.field)] as number) : b.value;
  const fill = (items: WireItem[]) => {
    for (const i of items) {
      const key = camel(i.name);
      if (i.item === 'field') {
        if (i.role !== 'value') continue;
        const max = { u8: 0xff, u16: 0xffff, u32: 0xffffffff, ref: 0xffffffff, u64: 2 ** 53 - 1, i32: 0 }[
          i.type as 'u8'
        ];
        if (i.type === 'str') v[key] = 'x'.repeat(Math.max(i.min ?? 0, int(6))) + (rnd() < 0.3 ? 'é→' : '');
        else if (i.type === 'i32') v[key] = int(0xffffffff) - 2 ** 31;
        else v[key] = Math.min(int(max), limit(i.max, max));
      } else if (i.item === 'list') {
        const n = int(3);
        v[key] = Array.from({ length: n }, () =>
          i.element === 'str'
            ? 'name'
            : i.element === 'i32'
              ? 1 - int(1000)
              : ['u8', 'u16', 'u32', 'ref', 'u64'].includes(i.element)
                ? int(200)
                : randomValue(spec, spec.records.find((r) => r.name === i.element)!, rnd),
        );
      } else if (i.item === 'bytes') {
        const n = 'field' in i.count ? 0 : i.count.value;
        const size = 'field' in i.count ? int(9) : n;
        v[key] = Uint8Array.from({ length: size }, () => int(255));
      } else v[key] = Uint8Array.from({ length: int(9) }, () => int(255));
    }
  };
  fill(rec.items);
  if (rec.variants.length) {
    const variant = rec.variants[int(rec.variants.length - 1)]!;
    v[camel(rec.tag!)] = variant.value;
    fill(variant.items);
  }
  // A field a later BYTES count is bounded by ("included ≤ size") must admit the bytes chosen.
  for (const i of rec.items)
    if (i.item === 'field' && i.max && 'field' in i.max) {
      const user = rec.items.find(
        (u) => u.item === 'bytes' && 'field' in u.count && u.count.field === i.name,
      );
      if (user)
        v[camel(i.max.field)] = Math.max(
          v[camel(i.max.field)] as number,
          (v[camel(user.name)] as Uint8Array).length,
        );
    }
  return v;
}

for (const w of WIRE_SPECS) {
  const spec = parseWireSpec(w.file, texts[w.file]!, external);
  const module = (w.file === 'debug' ? DebugWire : BlobWire) as unknown as Record<string, unknown>;

  test(`${w.file}: random values of every record round-trip (seed ${SEED})`, () => {
    const rnd = seededRandom(SEED);
    for (const rec of spec.records) {
      const { encode, decode } = codec(module, rec.name);
      for (let k = 0; k < 50; k++) {
        const value = randomValue(spec, rec, rnd);
        const bytes = encode(value);
        assert.deepEqual(decode(bytes), value, `${rec.name} #${k}`);
      }
    }
  });

  test(`${w.file}: random and mutated payloads decode or fail with a WireError, never otherwise (seed ${SEED})`, () => {
    const rnd = seededRandom(SEED + 1);
    const int = (n: number) => Math.floor(rnd() * n);
    let decoded = 0;
    let refused = 0;
    for (const rec of spec.records) {
      const { encode, decode } = codec(module, rec.name);
      for (let k = 0; k < 300; k++) {
        let bytes: Uint8Array;
        if (k % 3 === 0) bytes = Uint8Array.from({ length: int(40) }, () => int(256));
        else {
          bytes = encode(randomValue(spec, rec, rnd)).slice();
          const edits = 1 + int(3);
          for (let e = 0; e < edits && bytes.length; e++) {
            const what = int(3);
            if (what === 0) bytes[int(bytes.length)] = int(256);
            else if (what === 1) bytes = bytes.slice(0, int(bytes.length));
            else bytes = Uint8Array.from([...bytes, int(256)]);
          }
        }
        let value: unknown;
        try {
          value = decode(bytes);
        } catch (err) {
          assert.ok(err instanceof WireError, `${rec.name}: ${(err as Error).stack}`);
          refused++;
          continue;
        }
        decoded++;
        const again = encode(value);
        assert.deepEqual(decode(again), value, `${rec.name}: decoding is idempotent`);
        if (!new TextDecoder().decode(bytes).includes('\ufffd'))
          assert.deepEqual(again, bytes, `${rec.name}: a payload that decodes is the one its value encodes`);
      }
    }
    assert.ok(decoded > 50 && refused > 50, `both outcomes seen: ${decoded} decoded, ${refused} refused`);
  });

  test(`${w.file}: values outside their fields are refused by the encoders`, () => {
    const rnd = seededRandom(SEED + 2);
    for (const rec of spec.records) {
      const { encode } = codec(module, rec.name);
      const field = rec.items.find((i) => i.item === 'field' && i.role === 'value' && i.type !== 'str');
      if (!field) continue;
      const value = randomValue(spec, rec, rnd);
      assert.throws(() => encode({ ...value, [camel(field.name)]: -1 }), WireError, rec.name);
      assert.throws(() => encode({ ...value, [camel(field.name)]: 1.5 }), WireError, rec.name);
    }
  });
}

test('the limits of the spec are enforced on both sides', () => {
  const objects = Array.from({ length: DebugWire.DBG_MAX_BATCH + 1 }, (_, i) => i);
  assert.throws(() => DebugWire.encodeReadObjectsRequest({ objects }), /DBG_MAX_BATCH/);
  const tooMany = new Uint8Array(4);
  new DataView(tooMany.buffer).setUint16(0, DebugWire.DBG_MAX_BATCH + 1, true);
  assert.throws(() => DebugWire.decodeReadObjectsRequest(tooMany), /DBG_MAX_BATCH/);
  assert.throws(() => DebugWire.encodeRunRequest({ className: '', method: '' }), /shorter/);
  const reserved = DebugWire.encodeEnumerateRequest({ start: 0, class: 0, max: 1 });
  reserved[10] = 1;
  assert.throws(() => DebugWire.decodeEnumerateRequest(reserved), /reserved is 1, must be 0/);
  assert.throws(() => DebugWire.encodeReadPageReply({ bytes: new Uint8Array(10) }), /must have 4096/);
  const entry = {
    object: 1,
    status: DebugWire.DBG_OBJECT_OK,
    classWord: 0,
    size: 2,
    flags: 0,
    bytes: new Uint8Array(3),
  };
  assert.throws(() => DebugWire.encodeObjectEntry(entry), /more than size/);
});

test("the protocol's sizes agree with the formats they carry", () => {
  assert.equal(DebugWire.DBG_PAGE_BYTES, PAGE_SIZE, 'READ_PAGE carries one object-space page');
  assert.equal(
    BlobWire.CLASS_BLOB_MAX_CODE,
    65535,
    'a jump offset (i16) and a const index (u16) reach every byte',
  );
  assert.ok(BlobWire.CLASS_BLOB_MAX <= 4 * DebugWire.DBG_MAX_PAYLOAD, 'a blob travels in a few chunks');
});
