// Builds everything `npm start` and `npm test` need: the TypeScript projects (tsc -b), each
// workspace's own build step (e.g. the renderer bundle), the kernel and the boot images.
// Incremental: tsc -b, make and the workspaces' steps skip what is up to date.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root, run, workspaces } from './lib.mjs';

export async function build() {
  const steps = [
    ['TypeScript (tsc -b)', 'npx', ['tsc', '-b']],
    ...workspaces.map((w) => [`${w} build`, 'npm', ['run', 'build', '--if-present', '--silent', '-w', w]]),
  ];
  if (existsSync(join(root, 'kernel-src/Makefile')))
    steps.push(['kernel (make)', 'make', ['-s', '-C', 'kernel-src']]);
  for (const [name, cmd, args] of steps) {
    const code = await run(cmd, args);
    if (code !== 0) {
      console.error(`build: ${name} failed (exit ${code})`);
      return code;
    }
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await build());
