/**
 * Encoder, decoder, disassembler and verifier of Phantom bytecode, all driven by the opcode table
 * generated from spec/opcodes.def: operand encodings and stack effects are never restated here.
 * The verifier checks what bytecode.md says the compiler guarantees (consistent stack depths,
 * max stack, locals, jump targets, constant indices), so tests can hold every compiled method
 * to it and the kernel's loader has a reference for its own checks.
 */
import type { CompiledConst, CompiledMethod } from './compiled.js';
import { MF_RETURNS, OPCODES, type OpcodeInfo } from './spec/generated.js';

export const OPCODE_BY_CODE: readonly (OpcodeInfo | undefined)[] = (() => {
  const table: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  for (const op of OPCODES) table[op.code] = op;
  return table;
})();

export const OPCODE_BY_NAME: ReadonlyMap<string, OpcodeInfo> = new Map(OPCODES.map((op) => [op.name, op]));

export interface Instruction {
  readonly pc: number;
  readonly op: OpcodeInfo;
  /** Decoded operands: one number, or index then argc for U16_U8, none for NONE. */
  readonly operands: readonly number[];
  /** Bytes the instruction occupies, opcode included. */
  readonly length: number;
}

/** Number of operand values an encoding carries. */
const OPERAND_COUNT: Record<string, number> = { NONE: 0, U8: 1, U16: 1, I16: 1, I32: 1, U16_U8: 2 };

/** Appends one instruction to `out`; throws on a wrong operand (a compiler bug, not user input). */
export function encode(out: number[], name: string, ...operands: number[]): void {
  const op = OPCODE_BY_NAME.get(name);
  if (op === undefined) throw new Error(`unknown opcode ${name}`);
  if (operands.length !== OPERAND_COUNT[op.operands])
    throw new Error(`${name} takes ${OPERAND_COUNT[op.operands]} operands`);
  out.push(op.code);
  const [a = 0, b = 0] = operands;
  const check = (v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new Error(`${name}: operand ${v} outside ${lo}..${hi}`);
  };
  switch (op.operands) {
    case 'U8':
      check(a, 0, 0xff);
      out.push(a);
      break;
    case 'U16':
      check(a, 0, 0xffff);
      out.push(a & 0xff, a >>> 8);
      break;
    case 'I16':
      check(a, -0x8000, 0x7fff);
      out.push(a & 0xff, (a >> 8) & 0xff);
      break;
    case 'I32':
      check(a, -0x80000000, 0x7fffffff);
      out.push(a & 0xff, (a >> 8) & 0xff, (a >> 16) & 0xff, (a >>> 24) & 0xff);
      break;
    case 'U16_U8':
      check(a, 0, 0xffff);
      check(b, 0, 0xff);
      out.push(a & 0xff, a >>> 8, b);
      break;
  }
}

/** Decodes one instruction at `pc`, or returns a reason it cannot be decoded. */
export function decodeAt(code: Uint8Array, pc: number): Instruction | string {
  const op = OPCODE_BY_CODE[code[pc]!];
  if (op === undefined) return `unknown opcode 0x${code[pc]!.toString(16)} at ${pc}`;
  if (pc + 1 + op.operandBytes > code.length) return `${op.name} at ${pc} is cut off by the end of the code`;
  const u8 = (i: number) => code[pc + 1 + i]!;
  let operands: number[];
  switch (op.operands) {
    case 'U8':
      operands = [u8(0)];
      break;
    case 'U16':
      operands = [u8(0) | (u8(1) << 8)];
      break;
    case 'I16':
      operands = [((u8(0) | (u8(1) << 8)) << 16) >> 16];
      break;
    case 'I32':
      operands = [u8(0) | (u8(1) << 8) | (u8(2) << 16) | (u8(3) << 24)];
      break;
    case 'U16_U8':
      operands = [u8(0) | (u8(1) << 8), u8(2)];
      break;
    default:
      operands = [];
  }
  return { pc, op, operands, length: 1 + op.operandBytes };
}

/** Decodes a whole method's code; a bad byte ends the listing with the reason. */
export function decode(code: Uint8Array): { instructions: Instruction[]; error: string | null } {
  const instructions: Instruction[] = [];
  for (let pc = 0; pc < code.length; ) {
    const ins = decodeAt(code, pc);
    if (typeof ins === 'string') return { instructions, error: ins };
    instructions.push(ins);
    pc += ins.length;
  }
  return { instructions, error: null };
}

function describeConst(c: CompiledConst | undefined): string {
  if (c === undefined) return '?';
  switch (c.kind) {
    case 'string':
      return JSON.stringify(c.value);
    case 'class':
      return c.name;
    case 'method':
      return `${c.owner}.${c.name}`;
  }
}

/** A readable listing: one instruction a line, with jump targets and constants spelled out. */
export function disassemble(method: CompiledMethod): string {
  const { instructions, error } = decode(method.code);
  const lines = instructions.map((ins) => {
    let text = `${String(ins.pc).padStart(5)}  ${ins.op.name}`;
    const [a = 0, b = 0] = ins.operands;
    if (ins.op.operands === 'I16') text += ` ${a} (-> ${ins.pc + ins.length + a})`;
    else if (ins.op.operands === 'U16_U8')
      text += ` ${a}, ${b}${ins.op.name === 'CALL_STATIC' ? `  ; ${describeConst(method.consts[a])}` : ''}`;
    else if (ins.operands.length > 0) text += ` ${a}`;
    if (['PUSH_CONST', 'NEW', 'NEW_ARRAY', 'CHECKCAST', 'INSTANCEOF'].includes(ins.op.name))
      text += `  ; ${describeConst(method.consts[a])}`;
    return text;
  });
  if (error !== null) lines.push(`  ; ${error}`);
  return lines.join('\n');
}

/** How a call changes the stack: the callee's argc and whether it returns a value. */
export type CallEffect = (ins: Instruction) => { argc: number; returns: boolean } | null;

/**
 * Checks a bytecode method: every reachable instruction decodes, jumps land on instruction
 * starts, each instruction is reached with one stack depth, the depth stays within
 * 0..maxStack, locals are below `locals`, constant indices are in range, and the code cannot
 * run off its end. `callEffect` tells the verifier whether a call pushes a result (it needs the
 * callee). Returns the problems found, empty when the method is sound.
 */
export function verifyMethod(method: CompiledMethod, callEffect: CallEffect): string[] {
  const problems: string[] = [];
  if (method.native !== 0) return problems;
  const code = method.code;
  const depthAt = new Map<number, number>();
  const work: [number, number][] = [[0, 0]];
  const { instructions, error } = decode(code);
  if (error !== null) problems.push(error);
  const starts = new Set(instructions.map((i) => i.pc));
  if (method.argc > method.locals) problems.push(`argc ${method.argc} exceeds locals ${method.locals}`);
  for (const h of method.handlers) {
    if (h.start < 0 || h.end > code.length || h.start > h.end)
      problems.push(`handler range ${h.start}..${h.end} is outside the code`);
    if (h.classConst >= method.consts.length)
      problems.push(`handler class const ${h.classConst} out of range`);
    work.push([h.handler, 1]);
  }
  const returns = (method.flags & MF_RETURNS) !== 0;
  while (work.length > 0 && problems.length < 20) {
    const [pc, depth] = work.pop()!;
    const seen = depthAt.get(pc);
    if (seen !== undefined) {
      if (seen !== depth) problems.push(`pc ${pc} is reached with stack depths ${seen} and ${depth}`);
      continue;
    }
    if (!starts.has(pc)) {
      problems.push(`control reaches pc ${pc}, not an instruction start (code length ${code.length})`);
      continue;
    }
    depthAt.set(pc, depth);
    const ins = decodeAt(code, pc);
    if (typeof ins === 'string') {
      problems.push(ins);
      continue;
    }
    const name = ins.op.name;
    let pop = ins.op.pop;
    let push = ins.op.push;
    if (name === 'CALL_VIRT' || name === 'CALL_STATIC') {
      const e = callEffect(ins);
      if (e === null) {
        problems.push(`cannot tell what the call at ${pc} returns`);
        continue;
      }
      if (e.argc !== ins.operands[1])
        problems.push(`call at ${pc} passes ${ins.operands[1]} arguments, the callee takes ${e.argc}`);
      pop = ins.operands[1]!;
      push = e.returns ? 1 : 0;
    }
    if (depth < pop) {
      problems.push(`${name} at ${pc} pops ${pop} values from a stack of ${depth}`);
      continue;
    }
    const after = depth - pop + push;
    if (after > method.maxStack)
      problems.push(`stack depth ${after} after ${name} at ${pc} exceeds maxStack ${method.maxStack}`);
    if ((name === 'LOAD' || name === 'STORE') && ins.operands[0]! >= method.locals)
      problems.push(`${name} at ${pc} uses local ${ins.operands[0]} of ${method.locals}`);
    if (
      ['PUSH_CONST', 'NEW', 'NEW_ARRAY', 'CALL_STATIC', 'CHECKCAST', 'INSTANCEOF'].includes(name) &&
      ins.operands[0]! >= method.consts.length
    )
      problems.push(`${name} at ${pc} uses constant ${ins.operands[0]} of ${method.consts.length}`);
    if (name === 'RET' && !returns) problems.push(`RET at ${pc} in a method without MF_RETURNS`);
    if (name === 'RET_VOID' && returns) problems.push(`RET_VOID at ${pc} in a method with MF_RETURNS`);
    const next = pc + ins.length;
    if (name === 'JMP' || name === 'JMP_FALSE' || name === 'JMP_TRUE') {
      const target = next + ins.operands[0]!;
      if (!starts.has(target)) problems.push(`jump at ${pc} lands at ${target}, not an instruction`);
      else work.push([target, after]);
      if (name !== 'JMP') work.push([next, after]);
    } else if (name !== 'RET' && name !== 'RET_VOID' && name !== 'THROW') {
      work.push([next, after]);
    }
  }
  return problems;
}
