// `npm run dist`: packages the studio as an AppImage and a .deb under dist/packages/
// (electron-builder.yml says what goes in). It builds everything, makes a boot image for each
// example program, and runs electron-builder with the Electron that npm installed, so it works
// only where Electron's binary could be downloaded; elsewhere it stops and says why.
//
// electron-builder is pinned to 25.x (a devDependency): 26.x needs Node 22 or installs node-gyp
// from a git host, and `npm ci` must work from the npm registry alone on Node 20.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from './build.mjs';
import { electronBinary, root, run } from './lib.mjs';

const bootImagesDir = join(root, 'dist', 'packaging', 'boot-images');

const electron = electronBinary();
if (!electron.binary) {
  console.error(
    `npm run dist: cannot package the studio here: ${electron.reason}.\n` +
      'The electron package downloads its binary when it is installed, and this machine could not\n' +
      'reach the download. On a machine that can, run `npm ci` (or `npm rebuild electron`), then\n' +
      '`npm run dist`. Browser mode (`npm start`) needs no Electron.',
  );
  process.exit(1);
}

if ((await build()) !== 0) process.exit(1);

// A generation-0 store image per example, made by the same pipeline the studio uses, so that a
// packaged studio starts machines without a compiler or a kernel build on the target.
const { build: buildMachine } = await import(join(root, 'vm-manager/dist/node/build.js'));
const programs = readdirSync(join(root, 'lang/examples'))
  .filter((name) => name.endsWith('.ph'))
  .map((name) => name.slice(0, -3));
for (const program of programs) {
  try {
    await buildMachine({ program }, () => undefined, { sourceRoot: root, outDir: bootImagesDir });
  } catch (err) {
    console.error(`npm run dist: the boot image of ${program} failed: ${err.message}`);
    process.exit(1);
  }
}
console.log(`dist: boot images of ${programs.join(', ')} in ${bootImagesDir}`);

const electronPackage = createRequire(join(root, 'shell/package.json')).resolve('electron/package.json');
const electronVersion = JSON.parse(readFileSync(electronPackage, 'utf8')).version;
process.exit(
  await run('npx', [
    '--no-install',
    'electron-builder',
    '--config',
    'electron-builder.yml',
    '--linux',
    `-c.electronVersion=${electronVersion}`,
    // The binary npm installed, rather than a second download.
    `-c.electronDist=${join(dirname(electronPackage), 'dist')}`,
  ]),
);
