import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_MACHINE_NAME_LENGTH, machineNameProblem } from './machine-name.js';

test('ordinary names are accepted', () => {
  for (const name of ['demo', 'a', 'build-42', 'notes_v2', 'x'.repeat(MAX_MACHINE_NAME_LENGTH)]) {
    assert.equal(machineNameProblem(name), undefined, name);
  }
});

test('names that could escape the state dir or confuse a shell are refused with a reason', () => {
  for (const name of [
    '',
    '..',
    '../etc',
    'a/b',
    'Demo',
    '-rf',
    'a b',
    'x'.repeat(MAX_MACHINE_NAME_LENGTH + 1),
    'é',
  ]) {
    assert.match(machineNameProblem(name) ?? '', /machine name/, JSON.stringify(name));
  }
});
