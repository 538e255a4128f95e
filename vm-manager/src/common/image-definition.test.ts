// Image definitions as people write them, and as they should not: every field's rule with the
// message that names it, defaults, and hostile files (not JSON, huge, prototype keys, control
// characters, every one-character mutation and odd value), which must end in a bad-input
// VmError and nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVmError } from './errors.js';
import {
  DEFAULT_SNAPSHOT_INTERVAL_MS,
  imageMachineConfig,
  imageNameProblem,
  imageSummary,
  MAX_DEFINITION_BYTES,
  parseImageDefinition,
} from './image-definition.js';

const counter = {
  description: 'A thread that ticks every 100 ms',
  programs: ['../lang/examples/counter.ph'],
  mainClasses: ['.demo.counter'],
  spaceMiB: 16,
  diskMiB: 64,
  snapshotIntervalMs: DEFAULT_SNAPSHOT_INTERVAL_MS,
  kernelCommandLine: '',
};

const parse = (value: unknown, name = 'counter') => parseImageDefinition(name, JSON.stringify(value));

/** The message of the bad-input error parsing `value` throws. */
function problem(value: unknown, name = 'counter'): string {
  try {
    parse(value, name);
  } catch (err) {
    assert.ok(isVmError(err, 'bad-input'), `not a bad-input VmError: ${String(err)}`);
    return err.message;
  }
  assert.fail(`accepted ${JSON.stringify(value)}`);
}

test('a definition parses with its name; omitted sizes take the machine defaults', () => {
  assert.deepEqual(parse(counter), { name: 'counter', ...counter });
  const { spaceMiB: _s, diskMiB: _d, snapshotIntervalMs: _i, kernelCommandLine: _k, ...least } = counter;
  assert.deepEqual(parse(least), { name: 'counter', ...counter });
  const two = parse({
    ...counter,
    programs: ['../lang/examples/counter.ph', 'mine/worker.ph'],
    mainClasses: ['.demo.counter', '.mine.worker'],
    kernelCommandLine: 'debug=snapshots,pager-test',
  });
  assert.deepEqual(imageSummary(two), {
    name: 'counter',
    description: counter.description,
    programs: ['counter', 'worker'],
  });
  assert.deepEqual(imageMachineConfig(two), {
    image: 'counter',
    spaceMiB: 16,
    diskMiB: 64,
    snapshotIntervalMs: DEFAULT_SNAPSHOT_INTERVAL_MS,
    kernelCommandLine: 'debug=snapshots,pager-test',
  });
});

test('each field is checked, and the message names the file and the field', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...counter, description: '' }, /description: Too small/],
    [{ ...counter, description: 'two\nlines' }, /description: a description is one line/],
    [{ ...counter, programs: [] }, /programs: Too small/],
    [{ ...counter, programs: ['/abs/counter.ph'] }, /programs\[0\]: a program path is relative/],
    [{ ...counter, programs: ['counter.c'] }, /programs\[0\]: a program is a \.ph source file/],
    [{ ...counter, programs: ['a\u0000b.ph'] }, /programs\[0\]: a program path has no control characters/],
    [{ ...counter, programs: ['..\\evil.ph'] }, /programs\[0\]: .*backslashes/],
    [{ ...counter, programs: ['a.ph', 'a.ph'] }, /programs: programs are named once each/],
    [{ ...counter, mainClasses: ['demo.counter'] }, /mainClasses\[0\]: a class name is its package and name/],
    [{ ...counter, mainClasses: [] }, /mainClasses: Too small/],
    [{ ...counter, spaceMiB: 0 }, /spaceMiB: Too small/],
    [{ ...counter, spaceMiB: 513 }, /spaceMiB: Too big/],
    [{ ...counter, spaceMiB: 1.5 }, /spaceMiB: .*expected int/],
    [{ ...counter, diskMiB: '64' }, /diskMiB: .*expected number/],
    [{ ...counter, snapshotIntervalMs: 5 }, /snapshotIntervalMs: Too small/],
    [
      { ...counter, kernelCommandLine: 'snap=10' },
      /kernelCommandLine: snap= is not for an image: set snapshotIntervalMs/,
    ],
    [{ ...counter, kernelCommandLine: 'store=virtio1' }, /store= is not for an image/],
    [{ ...counter, kernelCommandLine: 'gen=3' }, /gen= is not for an image/],
    [{ ...counter, kernelCommandLine: 'debug="x"' }, /not a key=value option/],
    [{ ...counter, kernelCommandLine: 'debug=a  debug=b' }, /"" is not a key=value option/],
    [{ ...counter, kernelCommandLine: 'verbose' }, /"verbose" is not a key=value option/],
    [{ ...counter, kernelCommandLine: `debug=${'x'.repeat(200)}` }, /kernelCommandLine: Too big/],
    [{ ...counter, mainclass: '.demo.counter' }, /Unrecognized key: "mainclass"/],
  ];
  for (const [value, message] of cases) {
    const text = problem(value);
    assert.match(text, /^counter\.json is not a valid image definition:\n {2}/, text);
    assert.match(text, message, text);
  }
  // Every problem at once, one a line.
  const many = problem({ description: 3, programs: 'counter.ph' });
  assert.match(many, /description: .*\n {2}programs: .*\n {2}mainClasses: /);
});

test('the name, the JSON and the size are checked before the fields', () => {
  assert.match(problem(counter, 'Counter'), /^Counter\.json: 'Counter' is not an image name/);
  assert.match(problem(counter, '../counter'), /is not an image name/);
  assert.match(problem(counter, 'x'.repeat(41)), /at most 40 characters/);
  assert.equal(imageNameProblem('prod-cons_2'), undefined);
  for (const text of ['', '{', '{"description": "x",}', 'null', '[]', '"counter"', '42'])
    assert.throws(
      () => parseImageDefinition('counter', text, 'images/counter.json'),
      (err) => isVmError(err, 'bad-input') && /^images\/counter\.json/.test(err.message),
      text,
    );
  assert.match(String(tryParse('{')), /^VmError: images\/counter\.json: not JSON: /);
  assert.match(String(tryParse(' '.repeat(MAX_DEFINITION_BYTES + 1))), /too long for an image definition/);
  // A byte-order mark, as some editors save, is no problem.
  assert.equal(parseImageDefinition('counter', `\uFEFF${JSON.stringify(counter)}`).name, 'counter');
});

function tryParse(text: string): unknown {
  try {
    return parseImageDefinition('counter', text, 'images/counter.json');
  } catch (err) {
    return err;
  }
}

test('prototype keys are unknown keys, and change nothing', () => {
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    const text = JSON.stringify(counter).replace(/^\{/, `{"${key}": {"spaceMiB": 999, "polluted": true},`);
    assert.match(String(tryParse(text)), new RegExp(`Unrecognized key: "${key}"`));
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

const ODD_VALUES = [
  null,
  true,
  -1,
  0,
  1e300,
  2 ** 53,
  '',
  'x'.repeat(300),
  [],
  {},
  ['a.ph'],
  '\u0000',
  'é.ph',
  NaN,
];
/** Characters a mutation puts in place of one of the file's. */
const MUTANTS = ['"', '{', '}', '[', ',', ':', '\\', '\u0000', '\n', 'é', ' ', '0', '-', '.'];
const TOKENS = ['{', '}', '[', ']', '"', ':', ',', 'a', '1', ' ', 'null', '"programs"'];

/**
 * Hostile files, every one of a kind rather than a random sample, so a failure names its input
 * and replays as it is: each character of a valid file deleted, or replaced by each of MUTANTS;
 * each field dropped or given each odd value, and an unknown one added; every sequence of up to
 * three JSON-ish tokens.
 */
function* hostileTexts(): Generator<string> {
  const valid = JSON.stringify(counter);
  for (let at = 0; at < valid.length; at++) {
    yield valid.slice(0, at) + valid.slice(at + 1);
    for (const mutant of MUTANTS) yield valid.slice(0, at) + mutant + valid.slice(at + 1);
  }
  for (const field of [...Object.keys(counter), 'extra']) {
    const { [field]: _dropped, ...rest } = counter as Record<string, unknown>;
    yield JSON.stringify(rest);
    for (const value of ODD_VALUES) yield JSON.stringify({ ...counter, [field]: value });
  }
  const sequences = (length: number): string[] =>
    length === 0 ? [''] : sequences(length - 1).flatMap((head) => TOKENS.map((token) => head + token));
  for (let length = 0; length <= 3; length++) yield* sequences(length);
}

test('hostile definitions end in a definition that keeps the rules, or a bad-input error', () => {
  let accepted = 0;
  let tried = 0;
  for (const text of hostileTexts()) {
    tried++;
    let definition: ReturnType<typeof parseImageDefinition>;
    try {
      definition = parseImageDefinition('fuzz', text);
    } catch (err) {
      assert.ok(isVmError(err, 'bad-input'), `${String(err)} from ${JSON.stringify(text)}`);
      assert.match(err.message, /^fuzz\.json/);
      continue;
    }
    accepted++;
    // What is accepted keeps every rule a build relies on.
    assert.ok(definition.description.length > 0 && !definition.description.includes('\n'));
    assert.ok(
      definition.programs.length > 0 &&
        definition.programs.every((p) => p.endsWith('.ph') && !p.startsWith('/')),
    );
    assert.ok(definition.mainClasses.every((c) => /^(\.[A-Za-z_]\w*)+$/.test(c)));
    assert.ok(
      Number.isInteger(definition.spaceMiB) && definition.spaceMiB >= 1 && definition.spaceMiB <= 512,
    );
    assert.ok(Number.isInteger(definition.diskMiB) && definition.diskMiB >= 1);
    assert.ok(!/(^| )(store|snap|gen)=/.test(definition.kernelCommandLine));
  }
  // Some mutations (a changed letter in the description, a dropped default) keep a valid file.
  assert.ok(tried > 4000, `${tried} files`);
  assert.ok(accepted > 0, 'no input was accepted: the fuzzing says little');
});
