/**
 * The build pipeline against the real kernel Makefile and the real phc: incremental builds,
 * progress events, parsed diagnostics and clear errors for bad programs.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
