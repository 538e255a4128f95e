/**
 * The build pipeline against the real kernel Makefile and the real phc: incremental builds,
 * progress events, parsed diagnostics and clear errors for bad programs.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import type { BuildEvent } from '../common/api.js';
import { isVmError } from '../common/errors.js';
import { build, SOURCE_ROOT } from './build.js';

let outDir: string;

before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'phantom-build-'));
});

after(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const imageBuilderMissing = existsSync(join(SOURCE_ROOT, 'lang/dist/node/image-file.js'))
  ? false
  : 'phc image has no image builder yet (lang/dist/node/image-file.js)';

test('the kernel builds, then a second build does nothing', async () => {
  const events: BuildEvent[] = [];
  const first = await build({}, (e) => events.push(e), { sourceRoot: SOURCE_ROOT, outDir });
  assert.ok(existsSync(first.kernelPath));
  assert.equal(first.imagePath, undefined);
  assert.deepEqual(
    events.filter((e) => e.kind === 'step-started').map((e) => e.step),
    ['kernel'],
  );
  const again: BuildEvent[] = [];
  const second = await build({}, (e) => again.push(e), { sourceRoot: SOURCE_ROOT, outDir });
  assert.equal(second.upToDate, true);
  assert.deepEqual(
    again.filter((e) => e.kind === 'step-finished').map((e) => e.kind === 'step-finished' && e.outcome),
    ['up-to-date'],
  );
  assert.equal(again.filter((e) => e.kind === 'log').length, 0, 'an up-to-date build runs no tool');
});

test('a program that does not exist is a clear error naming the ones that do', async () => {
  await assert.rejects(
    build({ program: 'no-such-program' }, () => undefined, { sourceRoot: SOURCE_ROOT, outDir }),
    (err) => isVmError(err, 'bad-input') && /counter/.test(err.message),
  );
  await assert.rejects(
    build({ program: '../etc/passwd' }, () => undefined, { sourceRoot: SOURCE_ROOT, outDir }),
    (err) => isVmError(err, 'bad-input'),
  );
});

test('phc diagnostics come out as file, line, column and message', async () => {
  // A source tree that is the real one except for one broken example.
  const root = join(outDir, 'tree');
  await mkdir(join(root, 'lang', 'examples'), { recursive: true });
  await symlink(join(SOURCE_ROOT, 'kernel-src'), join(root, 'kernel-src'));
  for (const entry of ['bin', 'dist', 'spec', 'package.json'])
    await symlink(join(SOURCE_ROOT, 'lang', entry), join(root, 'lang', entry));
  const broken = join(root, 'lang', 'examples', 'broken.ph');
  await writeFile(broken, 'package .demo;\n\nclass broken {\n  void run() {\n    x = ;\n  }\n};\n');
  const events: BuildEvent[] = [];
  await assert.rejects(
    build({ program: 'broken' }, (e) => events.push(e), { sourceRoot: root, outDir: join(outDir, 'out') }),
    (err) => isVmError(err, 'build-failed'),
  );
  const diagnostics = events.flatMap((e) => (e.kind === 'diagnostic' ? [e.diagnostic] : []));
  assert.ok(diagnostics.length > 0, JSON.stringify(events.filter((e) => e.kind === 'log')));
  assert.equal(diagnostics[0]!.tool, 'phc');
  assert.equal(diagnostics[0]!.file.endsWith('broken.ph'), true);
  assert.equal(diagnostics[0]!.line, 5);
  assert.ok(diagnostics[0]!.col >= 1);
  assert.ok(events.some((e) => e.kind === 'step-failed' && e.step === 'classes'));
});

test('a program builds into classes and a store image, incrementally', {
  skip: imageBuilderMissing,
}, async () => {
  const first = await build({ program: 'counter' }, () => undefined, { sourceRoot: SOURCE_ROOT, outDir });
  assert.ok(first.imagePath && existsSync(first.imagePath));
  const second = await build({ program: 'counter' }, () => undefined, { sourceRoot: SOURCE_ROOT, outDir });
  assert.equal(second.upToDate, true);
});

test('an image definition builds into its classes and store image; a second build does nothing', {
  skip: imageBuilderMissing,
}, async () => {
  const first = await build({ image: 'counter' }, () => undefined, { sourceRoot: SOURCE_ROOT, outDir });
  assert.equal(first.imagePath, join(outDir, 'images', 'counter.img'));
  assert.ok(existsSync(first.imagePath));
  assert.equal(first.definition?.name, 'counter');
  assert.deepEqual(first.definition?.mainClasses, ['.demo.counter']);
  const second = await build({ image: 'counter' }, () => undefined, { sourceRoot: SOURCE_ROOT, outDir });
  assert.equal(second.upToDate, true);
});

test('a definition of several programs and main classes builds; a missing program or class is a clear error', {
  skip: imageBuilderMissing,
}, async () => {
  const images = join(outDir, 'my-images');
  await mkdir(images, { recursive: true });
  const examples = join(SOURCE_ROOT, 'lang', 'examples');
  const write = (name: string, definition: object) =>
    writeFile(join(images, `${name}.json`), JSON.stringify({ description: name, ...definition }));
  await write('both', {
    programs: ['counter.ph', 'notes.ph'].map((file) => relative(images, join(examples, file))),
    mainClasses: ['.demo.notes', '.demo.counter'],
    spaceMiB: 8,
    diskMiB: 32,
  });
  await write('missing', { programs: ['nowhere.ph'], mainClasses: ['.demo.x'] });
  await write('wrong-main', {
    programs: [relative(images, join(examples, 'counter.ph'))],
    mainClasses: ['.demo.notes'],
  });
  const paths = { sourceRoot: SOURCE_ROOT, outDir, imagesDir: images };
  const events: BuildEvent[] = [];
  const both = await build({ image: 'both' }, (e) => events.push(e), paths);
  assert.ok(both.imagePath && existsSync(both.imagePath));
  assert.equal(both.definition?.spaceMiB, 8);
  assert.deepEqual(
    events.filter((e) => e.kind === 'step-finished').map((e) => e.kind === 'step-finished' && e.step),
    ['kernel', 'classes', 'image'],
  );
  await assert.rejects(
    build({ image: 'missing' }, () => undefined, paths),
    (err) =>
      isVmError(err, 'bad-input') &&
      /image missing .*: the program .*nowhere\.ph does not exist/.test(err.message),
  );
  await assert.rejects(
    build({ image: 'wrong-main' }, () => undefined, paths),
    (err) => isVmError(err, 'build-failed') && /no class \.demo\.notes in the program/.test(err.message),
  );
  await assert.rejects(
    build({ image: 'counter', program: 'counter' }, () => undefined, paths),
    (err) => isVmError(err, 'bad-input') && /not both/.test(err.message),
  );
});
