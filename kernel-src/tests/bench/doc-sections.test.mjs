// doc-sections.test.mjs — replaceSections: a benchmark rewrites only its own sections of a document.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replaceSections } from './doc-sections.mjs';

const doc = [
  '# Bench',
  '',
  'Old preamble.',
  '',
  '## Pause (old heading)',
  '',
  'old pause table',
  '',
  '## Soak',
  '',
  'soak table, written by hand',
  '```',
  '## not a heading inside a code block',
  '```',
  '',
  '## Restore',
  '',
  'old restore table',
  '',
  '## Freeze',
  '',
  'freeze table',
  '',
].join('\n');

const sections = [
  { key: '## Pause', text: '## Pause per snapshot\n\nnew pause table\n' },
  { key: '## Throughput', text: '## Throughput\n\nnew throughput table\n' },
  { key: '## Restore', text: '## Restore\n\nnew restore table\n' },
];

test('replaces the preamble and its own sections in place, keeps the others and their order', () => {
  const out = replaceSections(doc, '# Bench\n\nNew preamble.\n', sections);
  assert.equal(
    out,
    [
      '# Bench',
      '',
      'New preamble.',
      '',
      '## Pause per snapshot',
      '',
      'new pause table',
      '',
      '## Throughput',
      '',
      'new throughput table',
      '',
      '## Soak',
      '',
      'soak table, written by hand',
      '```',
      '## not a heading inside a code block',
      '```',
      '',
      '## Restore',
      '',
      'new restore table',
      '',
      '## Freeze',
      '',
      'freeze table',
      '',
    ].join('\n'),
  );
});

test('running it twice changes nothing more', () => {
  const once = replaceSections(doc, '# Bench\n\nNew preamble.\n', sections);
  assert.equal(replaceSections(once, '# Bench\n\nNew preamble.\n', sections), once);
});

test('an empty or missing document gets the preamble and every section in order', () => {
  assert.equal(
    replaceSections('', '# Bench\n', sections),
    '# Bench\n\n## Pause per snapshot\n\nnew pause table\n\n## Throughput\n\nnew throughput table\n\n## Restore\n\nnew restore table\n',
  );
});

test('a duplicated section of its own is dropped, not kept stale', () => {
  const twice = `${doc}\n## Restore\n\nstale copy\n`;
  const out = replaceSections(twice, '# Bench\n', sections);
  assert.equal(out.match(/## Restore/g).length, 1);
  assert.ok(!out.includes('stale copy'));
  assert.ok(out.includes('freeze table'));
});
