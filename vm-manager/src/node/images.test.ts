// The images/ folder as vm-manager reads it: the repository's own definitions (one per shipped
// image, every program there), and a folder with broken files in it, which are listed with their
// problems beside the good ones and refused by name with the reason.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isVmError } from '../common/errors.js';
import { SOURCE_ROOT } from './build.js';
import { builtImagePath, imagesDir, listImages, programSources, readImage } from './images.js';

const dir = mkdtempSync(join(tmpdir(), 'ph-images-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const definition = (description: string) =>
  JSON.stringify({ description, programs: ['../lang/examples/counter.ph'], mainClasses: ['.demo.counter'] });

test("the repository's images/ holds one valid definition per shipped image, each program present", async () => {
  const root = imagesDir(SOURCE_ROOT);
  const images = await listImages(root);
  assert.deepEqual(
    images.map((image) => [image.name, image.problem]),
    ['bench', 'counter', 'graph', 'notes', 'prodcons'].map((name) => [name, undefined]),
  );
  for (const image of images) {
    const read = await readImage(root, image.name);
    assert.deepEqual(read.mainClasses, [`.demo.${image.name}`]);
    for (const source of programSources(root, read)) assert.ok(existsSync(source), source);
  }
});

test('broken files are listed with their problems and hide none of the good ones', async () => {
  const folder = join(dir, 'mixed');
  mkdirSync(folder);
  writeFileSync(join(folder, 'good.json'), definition('a good one'));
  writeFileSync(join(folder, 'typo.json'), definition('x').replace('mainClasses', 'mainClass'));
  writeFileSync(join(folder, 'Upper.json'), definition('a bad name'));
  writeFileSync(join(folder, 'huge.json'), ' '.repeat(70 * 1024));
  writeFileSync(join(folder, 'README.md'), 'not a definition');
  mkdirSync(join(folder, 'folder.json'));
  symlinkSync('/dev/zero', join(folder, 'endless.json'));
  symlinkSync(join(folder, 'nowhere'), join(folder, 'dangling.json'));
  const images = await listImages(folder);
  const problems = Object.fromEntries(images.map((image) => [image.name, image.problem]));
  assert.deepEqual(Object.keys(problems).sort(), [
    'Upper',
    'dangling',
    'endless',
    'folder',
    'good',
    'huge',
    'typo',
  ]);
  assert.equal(problems.good, undefined);
  assert.deepEqual(
    images.find((image) => image.name === 'good'),
    { name: 'good', description: 'a good one', programs: ['counter'] },
  );
  assert.match(
    problems.typo!,
    /typo\.json is not a valid image definition:\n {2}.*Unrecognized key: "mainClass"/s,
  );
  assert.match(problems.Upper!, /'Upper' is not an image name/);
  assert.match(problems.huge!, /too large for an image definition/);
  assert.match(problems.folder!, /is not a file/);
  assert.match(problems.endless!, /is not a file/);
  assert.match(problems.dangling!, /cannot read/);
});

test('an image is read by name; another name is a bad-input error that lists the images there', async () => {
  const folder = join(dir, 'mixed');
  const good = await readImage(folder, 'good');
  assert.equal(good.spaceMiB, 16, 'the default');
  assert.deepEqual(programSources(folder, good), [join(dir, 'lang', 'examples', 'counter.ph')]);
  assert.equal(builtImagePath(folder, 'good'), join(folder, 'good.img'));
  await assert.rejects(
    readImage(folder, 'nope'),
    (err) =>
      isVmError(err, 'bad-input') &&
      /no image 'nope' in .*; there are: Upper, dangling, endless/.test(err.message),
  );
  await assert.rejects(
    readImage(folder, '../mixed/good'),
    (err) => isVmError(err, 'bad-input') && /not an image name/.test(err.message),
  );
  await assert.rejects(readImage(folder, 'typo'), /Unrecognized key/);
  // A folder that does not exist has no images, rather than failing.
  assert.deepEqual(await listImages(join(dir, 'none')), []);
  await assert.rejects(readImage(join(dir, 'none'), 'good'), /there are: none/);
});
