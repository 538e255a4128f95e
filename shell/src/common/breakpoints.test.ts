import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DebuggerSettings } from './api.js';
import { BreakpointList, fileOfPath, pathOfFile } from './breakpoints.js';

test('a gutter click sets a breakpoint and a second one removes it', () => {
  const list = new BreakpointList();
  list.toggle('examples/counter.ph', 23);
  assert.deepEqual(list.of('examples/counter.ph'), [{ line: 23, enabled: true }]);
  list.toggle('examples/counter.ph', 23);
  assert.deepEqual(list.of('examples/counter.ph'), []);
  assert.deepEqual(list.files(), []);
});

test('conditions, hit counts and log messages are set, kept and cleared by empty text', () => {
  const list = new BreakpointList();
  list.configure('examples/counter.ph', 24, { condition: ' count > 3 ' });
  list.configure('examples/counter.ph', 24, { logMessage: 'tick {count}' });
  assert.deepEqual(list.at('examples/counter.ph', 24), {
    line: 24,
    enabled: true,
    condition: 'count > 3',
    logMessage: 'tick {count}',
  });
  list.configure('examples/counter.ph', 24, { condition: '' });
  assert.deepEqual(list.at('examples/counter.ph', 24), {
    line: 24,
    enabled: true,
    logMessage: 'tick {count}',
  });
});

test('disabled breakpoints stay in the list but are not sent to the adapter', () => {
  const list = new BreakpointList();
  list.toggle('examples/counter.ph', 30);
  list.configure('examples/counter.ph', 23, { hitCondition: '5' });
  list.setEnabled('examples/counter.ph', 30, false);
  assert.deepEqual(list.toDap('examples/counter.ph'), [{ line: 23, hitCondition: '5' }]);
  assert.equal(list.of('examples/counter.ph').length, 2);
});

test('the record the host keeps gives the same list back; the API checks what it holds', () => {
  const list = new BreakpointList();
  list.toggle('examples/counter.ph', 23);
  list.configure('project/a.ph', 4, { condition: 'i == 2' });
  list.setEnabled('project/a.ph', 4, false);
  const again = BreakpointList.fromRecord(list.toRecord());
  assert.deepEqual(again.toRecord(), list.toRecord());
  const settings = DebuggerSettings.safeParse(
    JSON.parse(JSON.stringify({ breakpoints: list.toRecord(), watches: [] })),
  );
  assert.equal(settings.success, true);
  for (const hostile of [
    { breakpoints: { 'examples/counter.ph': [{ line: 0, enabled: true }] }, watches: [] },
    { breakpoints: { 'examples/counter.ph': [{ line: 1.5, enabled: true }] }, watches: [] },
    { breakpoints: { 'examples/counter.ph': 7 }, watches: [] },
    { breakpoints: {}, watches: [''] },
    { breakpoints: {} },
  ])
    assert.equal(DebuggerSettings.safeParse(hostile).success, false, JSON.stringify(hostile));
  const doubled = BreakpointList.fromRecord({
    'examples/counter.ph': [
      { line: 23, enabled: true },
      { line: 23, enabled: false },
    ],
  });
  assert.deepEqual(doubled.of('examples/counter.ph'), [{ line: 23, enabled: true }], 'one per line');
});

test('a file key names the adapter path under its root folder, and back', () => {
  const roots = { examples: '/repo/lang/examples', project: '/home/me/project/' };
  assert.equal(pathOfFile('examples/counter.ph', roots), '/repo/lang/examples/counter.ph');
  assert.equal(pathOfFile('project/x/y.ph', roots), '/home/me/project/x/y.ph');
  assert.equal(pathOfFile('elsewhere/y.ph', roots), undefined);
  assert.equal(fileOfPath('/repo/lang/examples/counter.ph', roots), 'examples/counter.ph');
  assert.equal(fileOfPath('/home/me/project/x/y.ph', roots), 'project/x/y.ph');
  assert.equal(fileOfPath('/repo/lang/examplesX/counter.ph', roots), undefined);
  assert.equal(fileOfPath('/etc/passwd', roots), undefined);
});
