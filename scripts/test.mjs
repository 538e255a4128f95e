// `npm test`: bootstraps, starts the services the tests use (libvirtd), builds, then runs every
// suite of the repository — the checks (type check, linter, dependency direction), the tests of
// these scripts (the benchmarks' tables among them), each workspace's node:test files, the
// kernel's hosted C tests and its QEMU boot tests, and the end-to-end tests — and ends with one
// summary line, `N passed, N failed` (`, N skipped` when any were skipped), added up over all suites.
//
//   npm test                     everything
//   npm test -- --only lang,e2e  only the named suites (`npm run e2e` is `--only e2e`)
//   npm test -- --list           the suites' names
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from './build.mjs';
import { bootstrap, findFiles, root, startServices, workspaces } from './lib.mjs';
import { lint } from './lint.mjs';
import { tapFailures } from './tap-failures.mjs';

const artifacts = join(root, 'artifacts');
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
/** Each failed test's name, place and message, repeated at the end (CI keeps only the tail of the output). */
const failedTests = [];

function count(suite, passed, failed, skipped) {
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  if (failed > 0) failures.push(`${suite} (${failed})`);
}

/** Runs a command, echoing its output, and resolves to { code, output }. */
function capture(cmd, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    const echo = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', echo(process.stdout));
    child.stderr.on('data', echo(process.stderr));
    child.on('error', (err) => resolve({ code: 127, output: `${cmd}: ${err.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/** node:test over a list of compiled test files; counts come from a TAP copy of the report. */
async function nodeTests(suite, files) {
  if (files.length === 0) return;
  const tap = join(artifacts, `${suite}.tap`);
  const { code } = await capture(process.execPath, [
    '--test',
    '--test-timeout=600000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files.map((f) => relative(root, f)),
  ]);
  const report = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const field = (name) => Number(report.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  const failed = field('fail') + field('cancelled');
  failedTests.push(...tapFailures(report, root).map((f) => `${suite}: ${f}`));
  // A runner that died before reporting counts as one failure, never as a pass.
  const broken = code !== 0 && failed === 0 ? 1 : 0;
  count(suite, field('pass'), failed + broken, field('skipped') + field('todo'));
}

/** A command whose output ends with lines `N passed, N failed` (summed), like the kernel's C tests. */
async function plainTests(suite, cmd, args) {
  const { code, output } = await capture(cmd, args);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const m of output.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm)) {
    passed += Number(m[1]);
    failed += Number(m[2]);
    skipped += Number(m[3] ?? 0);
  }
  count(suite, passed, failed + (code !== 0 && failed === 0 ? 1 : 0), skipped);
}

const testFiles = (dir) => findFiles(dir, (n) => n.endsWith('.test.js') || n.endsWith('.test.mjs'));

const suites = {
  lint: async () => {
    const failed = await lint();
    count('lint', 3 - failed.length, failed.length, 0);
  },
  scripts: () => nodeTests('scripts', testFiles(join(root, 'scripts'))),
  ...Object.fromEntries(
    workspaces
      .filter((w) => w !== 'e2e')
      .map((w) => [w, () => nodeTests(w, testFiles(join(root, w, 'dist')))]),
  ),
  'kernel-hosted': async () => {
    if (existsSync(join(root, 'kernel-src/Makefile')))
      await plainTests('kernel-hosted', 'make', ['-s', '-C', 'kernel-src', 'test']);
  },
  'kernel-boot': () => nodeTests('kernel-boot', testFiles(join(root, 'kernel-src/tests'))),
  e2e: () => nodeTests('e2e', testFiles(join(root, 'e2e/dist'))),
};

const args = process.argv.slice(2);
if (args.includes('--list')) {
  console.log(Object.keys(suites).join('\n'));
  process.exit(0);
}
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : Object.keys(suites);
const unknown = only.filter((s) => !(s in suites));
if (unknown.length > 0) {
  console.error(`test: unknown suite(s): ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}

rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });
const started = Date.now();
if ((await bootstrap()) !== 0) {
  console.error('test: bootstrap failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
await startServices();
if ((await build()) !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const timings = [];
for (const name of only) {
  console.log(`\n━━ ${name} ━━`);
  const suiteStarted = Date.now();
  await suites[name]();
  timings.push(`${name} ${Math.round((Date.now() - suiteStarted) / 1000)} s`);
}
console.log(`\ntest: suite times: ${timings.join(', ')}`);
console.log(
  `\ntest: ${Math.round((Date.now() - started) / 1000)} s; artifacts in ${relative(root, artifacts)}/`,
);
for (const failure of failedTests) console.log(`test: failed: ${failure.slice(0, 400)}`);
if (failures.length > 0) console.log(`test: failures in ${failures.join(', ')}`);
console.log(
  `${totals.passed} passed, ${totals.failed} failed${totals.skipped > 0 ? `, ${totals.skipped} skipped` : ''}`,
);
process.exit(totals.failed > 0 ? 1 : 0);
