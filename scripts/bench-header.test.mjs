// bench-header.test.mjs — every benchmark table says which accelerator made it, and no benchmark
// picks its own (issue 13): each table in the committed docs/bench-*.md and
// kernel-src/docs/bench-*.md sits in a section that opens with bench-header.mjs's line; every bench
// script that writes or prints a table uses bench-header.mjs; and no bench script, nor a module of
// this repository it boots guests through, names an accelerator or looks at /dev/kvm itself.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { ACCELERATOR_LINE, acceleratorLine, benchHeading, HOST_ONLY } from './bench-header.mjs';
import { findFiles, root, workspaces } from './lib.mjs';

const HEADER_MODULE = join(root, 'scripts', 'bench-header.mjs');
/** Benchmarks outside a bench/ folder: the power-cut soak (`npm run soak:powercut`). */
const OTHER_BENCHES = ['kernel-src/tests/powercut.mjs'];

const isScript = (name) => /\.(mjs|ts|sh)$/.test(name) && !/\.test\.\w+$/.test(name);
const benchScripts = [
  ...[...workspaces.map((w) => join(root, w, 'bench')), join(root, 'kernel-src', 'tests', 'bench')].flatMap(
    (dir) => findFiles(dir, isScript),
  ),
  ...OTHER_BENCHES.map((file) => join(root, file)),
];
const benchDocs = [join(root, 'docs'), join(root, 'kernel-src', 'docs')].flatMap((dir) =>
  findFiles(dir, (name) => /^bench-.*\.md$/.test(name)),
);

/** A Markdown table's delimiter row: `| --- | ---: |`. */
const DELIMITER_ROW = /^\|(\s*:?-{3,}:?\s*\|)+\s*$/;

/**
 * Where `markdown`'s tables lack the accelerator line: the first line after the heading of each
 * table's section (the nearest heading above it, of any level) must be one.
 */
function missingLines(markdown) {
  const lines = markdown.split('\n');
  const problems = [];
  let fenced = false;
  let section;
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    if (/^#{1,6} /.test(line)) {
      section = { heading: line, first: undefined, reported: false };
      continue;
    }
    if (section && section.first === undefined && line.trim() !== '') section.first = line;
    if (!(line.startsWith('|') && DELIMITER_ROW.test(lines[i + 1] ?? ''))) continue;
    if (!section) problems.push(`line ${i + 1}: a table before any heading`);
    else if (!ACCELERATOR_LINE.test(section.first) && !section.reported) {
      problems.push(
        `line ${i + 1}: the table under "${section.heading}", whose first line is not an accelerator line`,
      );
      section.reported = true;
    }
  }
  return problems;
}

/** The code of a script without its comment lines (which may well speak of `-accel tcg`). */
const code = (text) =>
  text
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\/?\*|#)/.test(line))
    .join('\n');

/** What no bench may do: each way of picking an accelerator around vm-manager's decision. */
const OWN_ACCELERATOR = [
  [/['"`]-accel['"`]\s*,\s*['"`](?:kvm|tcg)\b/, 'passes QEMU a fixed -accel'],
  [/-accel[ =](?:kvm|tcg)\b/, 'has a fixed -accel in a command line'],
  [/\baccel=(?:kvm|tcg)\b/, 'has a fixed -machine accel='],
  [/-enable-kvm\b/, 'passes -enable-kvm'],
  [/\/dev\/kvm/, 'looks at /dev/kvm'],
  [/\bQEMU_ACCEL/, 'takes its accelerator from QEMU_ACCEL*'],
];

/** The script modules (`.mjs`) `file` imports by a relative path. */
function localImports(file) {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+\.mjs)['"]/g)]
    .map((m) => resolve(dirname(file), m[1]))
    .filter((path) => existsSync(path));
}

/**
 * The bench scripts and the script modules they import, directly or not (kernel-src/tests'
 * qemu.mjs and lib/, which boot the kernel's guests). Not the packages' built code they import:
 * vm-manager's accelerator.ts is where the decision is made, so it names both accelerators.
 */
function withLocalImports(files) {
  const seen = new Set(files);
  for (const file of seen) for (const imported of localImports(file)) seen.add(imported);
  return [...seen];
}

const rel = (file) => relative(root, file);

test('the accelerator line is the first line under the heading, and names a guest accelerator or none', () => {
  const tcg = acceleratorLine({ accel: 'tcg', why: 'TCG: there is no /dev/kvm on this host' });
  assert.equal(tcg, 'Accelerator: tcg — TCG: there is no /dev/kvm on this host.');
  const kvm = acceleratorLine({ accel: 'kvm', why: 'KVM: the probe boot passed.' }, 'the QEMU row only');
  assert.equal(kvm, 'Accelerator: kvm — KVM: the probe boot passed; the QEMU row only.');
  for (const line of [tcg, kvm, HOST_ONLY]) assert.match(line, ACCELERATOR_LINE);
  assert.throws(() => acceleratorLine({ accel: null, why: 'cannot run QEMU' }), /cannot run QEMU/);
  assert.deepEqual(missingLines(`${benchHeading('## Boot', tcg)}\n\n| a |\n| --- |\n| 1 |\n`), []);
});

test('a table whose section does not open with the line is found, once per section', () => {
  const doc = [
    '# Bench',
    '',
    '## Boot',
    '',
    'Measured under TCG.',
    '',
    '| a |',
    '| ---: |',
    '',
    '| b |',
    '| --- |',
    '',
    '```',
    '## not a heading',
    '```',
    '',
    '### Soak',
    '',
    'Command: soak.mjs.',
    HOST_ONLY,
    '',
    '| c |',
    '| --- |',
  ].join('\n');
  assert.deepEqual(missingLines(doc), [
    'line 7: the table under "## Boot", whose first line is not an accelerator line',
    'line 22: the table under "### Soak", whose first line is not an accelerator line',
  ]);
  assert.deepEqual(missingLines('| a |\n| --- |\n'), ['line 1: a table before any heading']);
});

test('every committed benchmark table says which accelerator made it', () => {
  assert.ok(benchDocs.length >= 9, `only ${benchDocs.length} bench documents found`);
  const problems = benchDocs.flatMap((doc) =>
    missingLines(readFileSync(doc, 'utf8')).map((p) => `${rel(doc)}: ${p}`),
  );
  assert.deepEqual(problems, []);
});

test('every bench script that writes or prints a table takes its accelerator line from bench-header.mjs', () => {
  const problems = [];
  for (const file of benchScripts) {
    const text = readFileSync(file, 'utf8');
    const table = /\|\s*:?-{3,}:?\s*\|/.test(text);
    const writes = /\b(writeFileSync|writeFile|writeSection|console\.log|process\.stdout\.write)\(/.test(
      text,
    );
    if (!table || !writes) continue;
    const imported = localImports(file).includes(HEADER_MODULE);
    if (!imported || !/\b(acceleratorLine|HOST_ONLY)\b/.test(code(text)))
      problems.push(`${rel(file)} writes a table without bench-header.mjs's accelerator line`);
  }
  assert.deepEqual(problems, []);
});

test('no bench picks an accelerator itself: each boots under vm-manager’s decision', () => {
  assert.ok(benchScripts.length >= 20, `only ${benchScripts.length} bench scripts found`);
  const problems = withLocalImports(benchScripts).flatMap((file) => {
    const text = code(readFileSync(file, 'utf8'));
    return OWN_ACCELERATOR.filter(([pattern]) => pattern.test(text)).map(
      ([, what]) => `${rel(file)} ${what}`,
    );
  });
  assert.deepEqual(problems, []);
});
