// Stages the Electron app that electron-builder packs (electron-builder.yml's directories.app):
// a folder that holds everything the packaged studio loads from app.asar and nothing else, with
// no link out of it. electron-builder cannot pack shell/ itself, whose node_modules links to the
// workspace packages (@phantom/lang, inspector, vm-manager) outside it.
//
//   node scripts/stage-app.mjs [--out DIR]     (default dist/packaging/app; needs `npm run build`)
//
// The staged folder:
//   package.json                       name, version, main, and the native modules as dependencies
//   dist/main/main.bundle.js           Electron's main process, one file (shell/build.mjs)
//   dist/preload/preload.cjs           the preload, one file
//   dist/host/electron-host.bundle.js  the host, one file per entry: Electron's utility process
//   dist/host/main.bundle.js           and browser mode's (what the package test runs with node)
//   dist/host/language-server.bundle.js the editor's language server, a worker thread of the host
//   dist/host/channel-broker-main.js   a machine's channel broker, when the host runs under Node
//   dist/host/console-keeper-main.js   a machine's console keeper, likewise
//   dist/www/                          the renderer, without source maps
//   node_modules/                      node-pty and @unraid/libvirt with their runtime dependencies
// The same relative places as in shell/, so paths.ts finds the renderer at dist/www and the
// resources folder (electron-builder.yml's extraResources) one folder above the app.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { root } from './lib.mjs';

export const defaultStagedAppDir = join(root, 'dist', 'packaging', 'app');

const shell = join(root, 'shell');

/** The bundles the app runs, from shell/dist (shell/build.mjs makes them). */
const bundles = [
  'dist/main/main.bundle.js',
  'dist/preload/preload.cjs',
  'dist/host/electron-host.bundle.js',
  'dist/host/main.bundle.js',
  'dist/host/language-server.bundle.js',
  'dist/host/channel-broker-main.js',
  'dist/host/console-keeper-main.js',
];

/** What the host bundles leave outside (shell/build.mjs's externals that must exist at run time). */
const nativeModules = ['node-pty', '@unraid/libvirt'];

/**
 * Dependencies the addons declare that nothing loads at run time: node-addon-api is C++ headers;
 * @unraid/libvirt's JavaScript imports only xml2js and its own .node file (by a relative path),
 * and declares its build and install tools (node-pre-gyp, tsx, which brings esbuild's binary,
 * bindings) as dependencies. The addons here are compiled by `npm ci` already.
 */
const buildOnlyDependencies = new Set(['node-addon-api', '@mapbox/node-pre-gyp', 'tsx', 'bindings']);

/** In an addon's folder: its sources and build intermediates, which nothing loads at run time. */
const addonBuildFolders = new Set([
  'src',
  'deps',
  'third_party',
  'scripts',
  'typings',
  'obj.target',
  '.deps',
]);

/** Where Node would find package `name` when required from `fromDir`: the nearest node_modules. */
function findPackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir)
      throw new Error(`stage-app: ${name} is not installed (required from ${fromDir}); run npm ci`);
  }
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** The native modules and their runtime dependencies: name → the installed folder. */
function runtimePackages() {
  const found = new Map();
  const visit = (name, fromDir) => {
    if (buildOnlyDependencies.has(name)) return;
    const dir = findPackage(name, fromDir);
    const seen = found.get(name);
    if (seen === dir) return;
    if (seen)
      throw new Error(
        `stage-app: two copies of ${name} are needed (${seen}, ${dir}); the staged node_modules is flat`,
      );
    if (!relative(root, dir).startsWith(`node_modules${sep}`))
      throw new Error(`stage-app: ${name} resolves to ${dir}, outside the repository's node_modules`);
    found.set(name, dir);
    for (const dependency of Object.keys(readJson(join(dir, 'package.json')).dependencies ?? {}))
      visit(dependency, dir);
  };
  for (const name of nativeModules) visit(name, shell);
  return found;
}

/** Whether a package's file (path relative to the package) is needed at run time. */
function isRuntimeFile(path, isAddon) {
  const parts = path.split(sep);
  const name = parts.at(-1);
  if (parts[0] === 'node_modules') return false;
  if (/\.(map|d\.ts|d\.mts|d\.cts)$/.test(name) || /\.test\.js$/.test(name)) return false;
  // Documents and CI files (electron-builder leaves these out of an asar too); licences stay.
  if (/^(readme|changelog|history)\b/i.test(name) || name.startsWith('.') || name === 'appveyor.yml')
    return false;
  if (!isAddon) return true;
  if (parts.some((part) => addonBuildFolders.has(part)) || name === 'binding.gyp') return false;
  // node-gyp's output: keep the addon (.node) and node-pty's spawn-helper, not the objects.
  if (parts[0] === 'build')
    return (
      parts.length === 3 && parts[1] === 'Release' && (name.endsWith('.node') || name === 'spawn-helper')
    );
  if (parts[0] === 'prebuilds') return parts[1] === `${process.platform}-${process.arch}`;
  return true;
}

/** Copies the files of `from` that `keep` accepts into `to`, following links (none are made). */
function copyTree(from, to, keep, under = '') {
  for (const name of readdirSync(join(from, under))) {
    const path = join(under, name);
    if (statSync(join(from, path)).isDirectory()) copyTree(from, to, keep, path);
    else if (keep(path)) {
      mkdirSync(dirname(join(to, path)), { recursive: true });
      // copyFileSync keeps the mode, so executables (spawn-helper) stay executable.
      copyFileSync(join(from, path), join(to, path));
    }
  }
}

/** Stages the app into `outDir` (emptied first) and returns what went in. */
export function stageApp(outDir = defaultStagedAppDir) {
  for (const bundle of [...bundles, 'dist/www/index.html'])
    if (!existsSync(join(shell, bundle)))
      throw new Error(`stage-app: shell/${bundle} is missing; run npm run build first`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  // With the chunks the host bundles import (shell/build.mjs splits what they load late).
  const chunks = readdirSync(join(shell, 'dist/host'))
    .filter((name) => name.startsWith('main.bundle.') && name.endsWith('.js') && name !== 'main.bundle.js')
    .map((name) => `dist/host/${name}`);
  for (const bundle of [...bundles, ...chunks]) {
    mkdirSync(dirname(join(outDir, bundle)), { recursive: true });
    copyFileSync(join(shell, bundle), join(outDir, bundle));
  }
  copyTree(join(shell, 'dist', 'www'), join(outDir, 'dist', 'www'), (path) => !path.endsWith('.map'));

  const packages = runtimePackages();
  for (const [name, dir] of packages) {
    const isAddon = existsSync(join(dir, 'binding.gyp'));
    const staged = join(outDir, 'node_modules', name);
    copyTree(dir, staged, (path) => isRuntimeFile(path, isAddon));
    // The staged copy declares only what is staged with it: electron-builder collects an app's
    // node_modules by walking the declared dependencies, and would find the build-only ones in
    // the repository's node_modules above the staged folder.
    const manifest = readJson(join(staged, 'package.json'));
    if (manifest.dependencies)
      manifest.dependencies = Object.fromEntries(
        Object.entries(manifest.dependencies).filter(
          ([dependency]) => !buildOnlyDependencies.has(dependency),
        ),
      );
    writeFileSync(join(staged, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  const studio = readJson(join(root, 'package.json'));
  const versionOf = (name) => readJson(join(packages.get(name), 'package.json')).version;
  const manifest = {
    name: studio.name,
    productName: 'Phantom Studio',
    version: studio.version,
    description: studio.description,
    license: studio.license,
    // The .deb needs both (electron-builder's deb target refuses to build without them).
    ...(studio.homepage ? { homepage: studio.homepage } : {}),
    ...(studio.author ? { author: studio.author } : {}),
    type: 'module',
    main: 'dist/main/main.bundle.js',
    // What electron-builder collects into the package's node_modules: the addons (its walk
    // finds their dependencies in the staged node_modules).
    dependencies: Object.fromEntries(nativeModules.map((name) => [name, versionOf(name)])),
  };
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir: outDir, packages: [...packages.keys()].sort() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--out');
  try {
    const { dir, packages } = stageApp(at >= 0 ? process.argv[at + 1] : undefined);
    console.log(`stage-app: ${relative(process.cwd(), dir) || '.'} (node_modules: ${packages.join(', ')})`);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
