/** Where the host finds the repository and the built renderer, from its own location. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * shell/ — this file is compiled to shell/dist/host/paths.js, and bundled into
 * shell/dist/host/*.bundle.js; in a package, app.asar (the staged app keeps shell's dist/ layout,
 * scripts/stage-app.mjs).
 */
export const shellRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built renderer that browser mode serves and Electron loads. */
export const rendererDir = join(shellRoot, 'dist', 'www');

/**
 * The checkout, or in a package the resources folder around app.asar, where
 * electron-builder.yml's extraResources puts lang/examples and package.json at the same places.
 */
export const repositoryRoot = join(shellRoot, '..');

export const repositoryPackageJson = join(repositoryRoot, 'package.json');
