// The encoder and decoder follow the opcode table generated from opcodes.def: every opcode's
// encoded length is 1 + its operand bytes, operands round-trip, and the verifier catches the
// faults it is meant to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompiledMethod } from './compiled.js';
import { decode, decodeAt, disassemble, encode, verifyMethod } from './disasm.js';
import { MF_RETURNS, OPCODES } from './spec/generated.js';

const SAMPLE_OPERANDS: Record<string, number[]> = {
  NONE: [],
  U8: [200],
  U16: [0xbeef],
  I16: [-1234],
  I32: [-123456789],
  U16_U8: [0x1234, 7],
};

test('each opcode encodes to 1 + operandBytes bytes and decodes back to itself', () => {
  for (const op of OPCODES) {
    const out: number[] = [];
    encode(out, op.name, ...SAMPLE_OPERANDS[op.operands]!);
    assert.equal(out.length, 1 + op.operandBytes, op.name);
    assert.equal(out[0], op.code);
    const ins = decodeAt(Uint8Array.from(out), 0);
    assert.ok(typeof ins !== 'string', op.name);
    assert.equal(ins.op.name, op.name);
    assert.deepEqual(ins.operands, SAMPLE_OPERANDS[op.operands]);
  }
});

test('operands are little-endian as bytecode.md says', () => {
  const out: number[] = [];
  encode(out, 'PUSH_INT', 0x01020304);
  assert.deepEqual(out, [OPCODES.find((o) => o.name === 'PUSH_INT')!.code, 4, 3, 2, 1]);
});

test('encode rejects operands that do not fit', () => {
  assert.throws(() => encode([], 'LOAD', 256));
  assert.throws(() => encode([], 'JMP', 40000));
  assert.throws(() => encode([], 'NOPE'));
});

test('decode reports unknown opcodes and cut-off instructions', () => {
  assert.match(decode(Uint8Array.from([0xff])).error!, /unknown opcode/);
  assert.match(
    decode(Uint8Array.from([OPCODES.find((o) => o.name === 'PUSH_INT')!.code, 1])).error!,
    /cut off/,
  );
});

function method(code: number[], over: Partial<CompiledMethod> = {}): CompiledMethod {
  return {
    name: 'm',
    flags: 0,
    argc: 1,
    locals: 1,
    maxStack: 2,
    native: 0,
    code: Uint8Array.from(code),
    consts: [],
    handlers: [],
    lines: [],
    vindex: -1,
    signature: '()void',
    ...over,
  };
}

const asm = (...ins: [string, ...number[]][]) => {
  const out: number[] = [];
  for (const [name, ...ops] of ins) encode(out, name, ...ops);
  return out;
};
const noCalls = () => null;

test('the verifier accepts sound code and finds stack, local, jump and return faults', () => {
  const good = method(asm(['PUSH_INT', 1], ['PUSH_INT', 2], ['ADD'], ['RET']), { flags: MF_RETURNS });
  assert.deepEqual(verifyMethod(good, noCalls), []);
  assert.match(disassemble(good), /ADD/);
  const deep = method(
    asm(['PUSH_INT', 1], ['PUSH_INT', 2], ['PUSH_INT', 3], ['POP'], ['POP'], ['POP'], ['RET_VOID']),
  );
  assert.match(verifyMethod(deep, noCalls).join(), /exceeds maxStack/);
  assert.match(
    verifyMethod(method(asm(['POP'], ['RET_VOID'])), noCalls).join(),
    /pops 1 values from a stack of 0/,
  );
  assert.match(verifyMethod(method(asm(['LOAD', 3], ['POP'], ['RET_VOID'])), noCalls).join(), /uses local 3/);
  assert.match(verifyMethod(method(asm(['JMP', 1], ['RET_VOID'])), noCalls).join(), /not an instruction/);
  assert.match(verifyMethod(method(asm(['PUSH_INT', 1])), noCalls).join(), /not an instruction start/);
  assert.match(verifyMethod(method(asm(['PUSH_INT', 1], ['RET'])), noCalls).join(), /without MF_RETURNS/);
  const merge = method(asm(['PUSH_INT', 1], ['JMP_FALSE', 6], ['PUSH_INT', 1], ['POP'], ['RET_VOID']));
  assert.deepEqual(verifyMethod(merge, noCalls), []);
  const mismatch = method(asm(['PUSH_INT', 1], ['JMP_FALSE', 5], ['PUSH_INT', 1], ['RET_VOID']), {
    maxStack: 3,
  });
  assert.match(verifyMethod(mismatch, noCalls).join(), /stack depths/);
});
