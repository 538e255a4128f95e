/**
 * The package's layout as the tests see it: the staged app, what electron-builder packed from it,
 * and that packed app laid out as a package's resources/ folder (app.asar extracted, the
 * extraResources of electron-builder.yml beside it) in a folder outside the repository.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { extractAll } from '@electron/asar';
import { repoRoot } from './fixtures.js';

export const stagedApp = join(repoRoot, 'dist', 'packaging', 'app');
export const packedResources = join(repoRoot, 'dist', 'packages', 'linux-unpacked', 'resources');

interface ExtraResource {
  from: string;
  to: string;
  filter?: string[];
}

const { load: parseYaml } = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
export const builderConfig = parseYaml(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as {
  directories: { app: string };
  extraResources: ExtraResource[];
};

/** Every file under `dir`, relative to it, and every symlink (which the package must not have). */
export function walk(dir: string): { files: string[]; links: string[] } {
  const files: string[] = [];
  const links: string[] = [];
  const visit = (under: string) => {
    for (const name of readdirSync(join(dir, under))) {
      const path = join(under, name);
      const stats = lstatSync(join(dir, path));
      if (stats.isSymbolicLink()) links.push(path);
      else if (stats.isDirectory()) visit(path);
      else files.push(path);
    }
  };
  visit('');
  return { files: files.sort(), links };
}

/** The packed app plus extraResources, as resources/ in a temporary folder outside the repository. */
export function layOutPackage(root: string): string {
  const resources = join(root, 'resources');
  extractAll(join(packedResources, 'app.asar'), join(resources, 'app'));
  for (const { from, to, filter } of builderConfig.extraResources) {
    const source = join(repoRoot, from);
    const accepts = (name: string) =>
      (filter ?? ['*']).some((pattern) => {
        assert.match(pattern, /^\*(\.\w+)?$/, 'this test understands filters of the form *.ext only');
        return name.endsWith(pattern.slice(1));
      });
    const copies = statSync(source).isDirectory()
      ? walk(source)
          .files.filter(accepts)
          .map((file) => [join(source, file), join(resources, to, file)])
      : [[source, join(resources, to)]];
    for (const [file, target] of copies) {
      mkdirSync(dirname(target as string), { recursive: true });
      // Boot images are sparse 64 MiB files; keep them sparse.
      const copy = spawnSync('cp', ['--sparse=always', file as string, target as string]);
      assert.equal(copy.status, 0, String(copy.stderr));
    }
  }
  return resources;
}
