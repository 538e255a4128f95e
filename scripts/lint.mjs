// One command that runs everything that checks: the type check (tsc -b), the linter and
// formatter check (Biome) and the dependency direction (scripts/check-deps.mjs).
import { run } from './lib.mjs';

export async function lint() {
  const checks = [
    ['type check', 'npx', ['tsc', '-b']],
    ['lint and format', 'npx', ['biome', 'check', '--error-on-warnings', '.']],
    ['dependency direction', 'node', ['scripts/check-deps.mjs']],
  ];
  const failed = [];
  for (const [name, cmd, args] of checks) {
    if ((await run(cmd, args)) !== 0) failed.push(name);
  }
  if (failed.length > 0) console.error(`lint: failed: ${failed.join(', ')}`);
  return failed;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit((await lint()).length === 0 ? 0 : 1);
