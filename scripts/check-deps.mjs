// Checks the dependency direction of docs/ARCHITECTURE.md on every TypeScript file:
//  - between packages: shell → vm-manager → inspector → lang, never back (e2e may use them all);
//  - between environments inside a package: `common/` uses neither Node nor the DOM and imports only
//    `common/`; `browser`-kind folders never import Node or `node`-kind folders, and the reverse.
// Test files (*.test.ts) run under node:test, so they may import Node's modules, nothing else extra.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { findFiles, root, workspaces } from './lib.mjs';

/** Which of our packages each package may import. */
const allowedPackages = {
  lang: [],
  inspector: ['lang'],
  'vm-manager': ['lang', 'inspector'],
  shell: ['lang', 'inspector', 'vm-manager'],
  e2e: ['lang', 'inspector', 'vm-manager', 'shell'],
};

/** The environment kind of each source folder name. */
const envKind = {
  common: 'common',
  node: 'node',
  host: 'node',
  main: 'node',
  preload: 'node',
  browser: 'browser',
  renderer: 'browser',
};

/** Which environment kinds code of one kind may import. */
const allowedKinds = { common: ['common'], node: ['common', 'node'], browser: ['common', 'browser'] };

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const importPattern =
  /(?:\bimport|\bexport)\s[^'"]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g;

function kindOf(file) {
  const parts = relative(root, file).split(sep);
  const srcAt = parts.indexOf('src');
  if (srcAt < 0 || parts[0] === 'e2e') return 'node';
  return envKind[parts[srcAt + 1]] ?? 'node';
}

const problems = [];
for (const pkg of workspaces) {
  for (const file of findFiles(join(root, pkg, 'src'), (n) => n.endsWith('.ts') && !n.endsWith('.d.ts'))) {
    const isTest = file.endsWith('.test.ts');
    const kind = kindOf(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importPattern)) {
      const spec = m[1] ?? m[2];
      const where = `${relative(root, file)}: imports '${spec}'`;
      if (nodeBuiltins.has(spec) || spec.startsWith('node:')) {
        if (kind !== 'node' && !isTest) problems.push(`${where}, a Node module, from ${kind} code`);
        continue;
      }
      if (spec.startsWith('@phantom/')) {
        const [, target, env] = spec.split('/');
        if (target !== pkg && !allowedPackages[pkg].includes(target))
          problems.push(`${where}: ${pkg} may not depend on ${target}`);
        const targetKind = envKind[env];
        if (targetKind && !allowedKinds[kind].includes(targetKind) && !isTest)
          problems.push(`${where}: ${kind} code may not import ${targetKind} code`);
        continue;
      }
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        const targetPkg = relative(root, target).split(sep)[0];
        if (targetPkg !== pkg)
          problems.push(`${where}: relative import out of package ${pkg}; import it by package name`);
        else if (!isTest && !allowedKinds[kind].includes(kindOf(target)))
          problems.push(`${where}: ${kind} code may not import ${kindOf(target)} code`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`dependency direction: ${problems.length} problem(s)`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log('dependency direction: clean');
