// Builds everything `npm start` and `npm test` need: the TypeScript projects (tsc -b), the code
// generated from lang/spec (and tsc -b again over it), each
// workspace's own build step (e.g. the renderer bundle), the kernel and the boot images.
// Incremental: tsc -b, make and the workspaces' steps skip what is up to date.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root, run, workspaces } from './lib.mjs';

export async function build() {
  // The formats' code comes from lang/spec, made by generators compiled from lang: first with the
  // last build's generators (so a spec edit reaches the code before it is compiled), then with
  // these just compiled, and the code compiled again over what they wrote. A spec change one side
  // does not follow fails tsc here or the kernel's make below.
  const generate = [
    'generated code (lang/spec)',
    process.execPath,
    [join(root, 'lang/scripts/gen-spec.mjs')],
  ];
  const steps = [
    ...(existsSync(join(root, 'lang/dist/common/spec/wire-gen.js')) ? [generate] : []),
    ['TypeScript (tsc -b)', 'npx', ['tsc', '-b']],
    generate,
    ['TypeScript again, on the generated code', 'npx', ['tsc', '-b']],
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
