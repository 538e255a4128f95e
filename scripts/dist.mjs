// `npm run dist`: packages the studio as an AppImage and a .deb under dist/packages/
// (electron-builder.yml says what goes in). It builds everything, builds each image defined in
// images/ and carries it beside its definition, stages the app (scripts/stage-app.mjs), and runs electron-builder with the
// Electron that npm installed.
//
//   npm run dist [-- --no-build]     --no-build: skip the build (the package test uses it)
//
// Where Electron's binary could not be downloaded (as on our build machines) it still packs the
// app: electron-builder --dir, given an empty folder for Electron, writes
// dist/packages/linux-unpacked/resources/app.asar and app.asar.unpacked, then stops where it
// needs the binary; dist says so and exits 1, having made no AppImage or .deb.
//
// electron-builder is pinned to 25.x (a devDependency): 26.x needs Node 22 or installs node-gyp
// from a git host, and `npm ci` must work from the npm registry alone on Node 20.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { build } from './build.mjs';
import { electronBinary, root, run, runSync } from './lib.mjs';
import { stageApp } from './stage-app.mjs';

/** The build's own output (raw images, with its up-to-date stamps), converted into the package's images. */
const imageBuildDir = join(root, 'dist', 'packaging', 'image-build');
const packagesDir = join(root, 'dist', 'packages');

if (!process.argv.includes('--no-build') && (await build()) !== 0) process.exit(1);

// Every image defined in images/, built by the same pipeline the studio uses and carried beside
// its definition (dist/packaging/images/NAME.{json,img}, the package's resources/images/), so that
// a packaged studio starts machines without a compiler or a kernel build on the target.
const { IMAGES_FOLDER } = await import(join(root, 'vm-manager/dist/common/image-definition.js'));
const { build: buildMachine } = await import(join(root, 'vm-manager/dist/node/build.js'));
const { builtImagePath, imagesDir, listImages } = await import(join(root, 'vm-manager/dist/node/images.js'));
const packagedImages = join(root, 'dist', 'packaging', IMAGES_FOLDER);
const images = await listImages(imagesDir(root));
const broken = images.filter((image) => image.problem);
if (broken.length > 0) {
  for (const image of broken) console.error(`npm run dist: ${image.problem}`);
  process.exit(1);
}
rmSync(packagedImages, { recursive: true, force: true });
mkdirSync(packagedImages, { recursive: true });
for (const { name } of images) {
  let raw;
  try {
    raw = (await buildMachine({ image: name }, () => undefined, { sourceRoot: root, outDir: imageBuildDir }))
      .imagePath;
  } catch (err) {
    console.error(`npm run dist: the image ${name} failed: ${err.message}`);
    process.exit(1);
  }
  copyFileSync(join(imagesDir(root), `${name}.json`), join(packagedImages, `${name}.json`));
  // Carried as compressed qcow2: raw, a .deb would install 64 MiB of zeros per image (dpkg
  // writes every byte); vm-manager copies either format into a machine's disk.
  const image = builtImagePath(packagedImages, name);
  if (runSync('qemu-img', ['convert', '-q', '-c', '-f', 'raw', '-O', 'qcow2', raw, image]) !== 0) {
    console.error(`npm run dist: qemu-img could not convert the image ${name}`);
    process.exit(1);
  }
}
console.log(`dist: images ${images.map((i) => i.name).join(', ')} in ${relative(root, packagedImages)}`);

try {
  const { dir, packages } = stageApp();
  console.log(`dist: app staged in ${relative(root, dir)} (node_modules: ${packages.join(', ')})`);
} catch (err) {
  console.error(`npm run dist: ${err.message}`);
  process.exit(1);
}

const electronPackage = createRequire(join(root, 'shell/package.json')).resolve('electron/package.json');
const electronVersion = JSON.parse(readFileSync(electronPackage, 'utf8')).version;
const electronBuilder = (args) =>
  run('npx', [
    '--no-install',
    'electron-builder',
    '--config',
    'electron-builder.yml',
    '--linux',
    `-c.electronVersion=${electronVersion}`,
    ...args,
  ]);

const electron = electronBinary();
if (electron.binary)
  // The binary npm installed, rather than a second download.
  process.exit(await electronBuilder([`-c.electronDist=${join(dirname(electronPackage), 'dist')}`]));

// No Electron: pack as far as electron-builder goes without it. The empty folder stands for
// Electron's distribution, so electron-builder neither downloads one nor finds a binary in it.
rmSync(packagesDir, { recursive: true, force: true });
const noElectron = mkdtempSync(join(tmpdir(), 'phantom-no-electron-'));
console.log(`dist: no Electron binary (${electron.reason}); packing the app only (electron-builder --dir)`);
await electronBuilder(['--dir', `-c.electronDist=${noElectron}`]);
rmSync(noElectron, { recursive: true, force: true });
const resources = join(packagesDir, 'linux-unpacked', 'resources');
const packed = existsSync(join(resources, 'app.asar')) && existsSync(join(resources, 'app.asar.unpacked'));
console.error(
  `npm run dist: no AppImage or .deb made: ${electron.reason}.\n` +
    (packed
      ? `electron-builder packed ${relative(root, resources)}/app.asar and app.asar.unpacked, then stopped\n` +
        'where it copies in the Electron binary (the "rename .../electron" error above).\n'
      : 'electron-builder did not get as far as packing app.asar (see its error above).\n') +
    'The electron package downloads its binary when it is installed, and this machine could not\n' +
    'reach the download. On a machine that can, run `npm ci` (or `npm rebuild electron`), then\n' +
    '`npm run dist`. Browser mode (`npm start`) needs no Electron.',
);
process.exit(1);
