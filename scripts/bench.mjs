// `npm run bench`: runs every package's benchmarks (the `bench` script of each workspace, and
// kernel-src's `make bench` where it exists), each writing its table under docs/.
// Performance goals are measured here, never in timed tests.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from './build.mjs';
import { bootstrap, root, run, workspaces } from './lib.mjs';

if ((await bootstrap()) !== 0 || (await build()) !== 0) process.exit(1);
const failed = [];
for (const w of workspaces) {
  const pkg = JSON.parse(readFileSync(join(root, w, 'package.json'), 'utf8'));
  if (!pkg.scripts?.bench) continue;
  console.log(`\n━━ bench: ${w} ━━`);
  if ((await run('npm', ['run', 'bench', '--silent', '-w', w])) !== 0) failed.push(w);
}
const makefile = join(root, 'kernel-src/Makefile');
if (existsSync(makefile) && /^bench:/m.test(readFileSync(makefile, 'utf8'))) {
  console.log('\n━━ bench: kernel ━━');
  if ((await run('make', ['-s', '-C', 'kernel-src', 'bench'])) !== 0) failed.push('kernel');
}
if (failed.length > 0) console.error(`bench: failed: ${failed.join(', ')}`);
process.exit(failed.length > 0 ? 1 : 0);
