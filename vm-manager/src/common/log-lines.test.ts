import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashReason, lastMeaningfulLines } from './log-lines.js';

const KVM_ERROR = `KVM internal error. Suberror: 1
emulation failure
EAX=00000000 EBX=00000000 ECX=00000000 EDX=00000663
ES =0010 00000000 ffffffff 00cf9300 DPL=0 DS   [-WA]
GDT=     0010a000 00000027
CR0=00000011 CR2=00000000 CR3=00000000 CR4=00000000
EFER=0000000000000000
Code=00 00 00 <cf> 90 90 90
`;

test('register dumps, blank lines and reset headers are left out; the last lines are kept in order', () => {
  assert.deepEqual(lastMeaningfulLines(KVM_ERROR, 3), [
    'KVM internal error. Suberror: 1',
    'emulation failure',
  ]);
  assert.deepEqual(lastMeaningfulLines('CPU Reset (CPU 0)\nEAX=0\nTriple fault\n', 3), ['Triple fault']);
  assert.deepEqual(lastMeaningfulLines('a\nb\n\nc\nd\n', 2), ['c', 'd']);
  assert.deepEqual(lastMeaningfulLines('', 3), []);
  const pvm =
    'warning: no pni\nKVM internal error. Suberror: 1\nextra data[0]: 0x01\nextra data[11]: 0x00\nEAX=0\n';
  assert.deepEqual(lastMeaningfulLines(pvm, 2), ['warning: no pni', 'KVM internal error. Suberror: 1']);
});

test('terminal escapes and control characters are removed, CR LF ends lines, long lines are cut', () => {
  assert.deepEqual(lastMeaningfulLines('\x1b[1;31mPANIC: x\x1b[0m\r\nhalted\x07\r\n', 2), [
    'PANIC: x',
    'halted',
  ]);
  const [long] = lastMeaningfulLines('y'.repeat(500), 1);
  assert.equal(long!.length, 160);
  assert.ok(long!.endsWith('…'));
});

test('a crash reason names the cause, then the console, then QEMU', () => {
  assert.equal(
    crashReason('the kernel halted', ['PANIC: boom', 'halted'], ['Triple fault']),
    'the kernel halted; console: "PANIC: boom" "halted"; QEMU: "Triple fault"',
  );
  assert.equal(crashReason('gone', [], []), 'gone');
});
