// examples.test.mjs — every lang/examples program, and every program of tests/hosted/programs
// that has a .expected (the ones that try to break the type system through arrays), compiled into
// a generation-0 store by `phc image`, booted in QEMU: its console output must contain the
// program's .expected lines in order (programs that run forever, like counter, are checked on
// their first lines). Skipped, saying why, while `phc image` cannot build images yet.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { boot, kernelDir, tempDir } from './qemu.mjs';

const langDir = join(kernelDir, '..', 'lang');
const examplesDir = join(langDir, 'examples');
const phc = join(langDir, 'bin', 'phc.mjs');
const imageBuilder = join(langDir, 'dist', 'node', 'image-file.js');
const artifacts = join(kernelDir, '..', 'artifacts', 'kernel-boot');
/** The CPU-bound example needs longer under TCG on shared cores. */
const EXAMPLE_DEADLINE_MS = 180_000;
const SPACE_BYTES = 64 << 20;

const notReady =
  !existsSync(phc) || !existsSync(imageBuilder) ? 'phc image is not available yet (lang/dist/node/image-file.js)' : false;

let temp;
before(async () => {
  temp = await tempDir();
});
after(() => temp?.cleanup());

/** The programs of a folder that have a .expected, each run as the class named after its file in its package. */
const programsIn = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.ph') && existsSync(join(dir, f.replace(/\.ph$/, '.expected'))))
        .map((f) => {
          const name = basename(f, '.ph');
          const pkg = /^package (\S+);/m.exec(readFileSync(join(dir, f), 'utf8'))?.[1] ?? '';
          return { dir, name, main: `${pkg}.${name}` };
        })
    : [];
const examples = [...programsIn(examplesDir), ...programsIn(join(kernelDir, 'tests', 'hosted', 'programs'))];

for (const { dir, name, main } of examples) {
  test(`example ${name} prints its expected output on the kernel`, { skip: notReady }, async () => {
    const source = join(dir, `${name}.ph`);
    const expected = readFileSync(join(dir, `${name}.expected`), 'utf8').replace(/\n$/, '');
    const image = join(temp.dir, `${name}.img`);
    const built = spawnSync(
      process.execPath,
      [phc, 'image', source, '--main', main, '--space-bytes', String(SPACE_BYTES), '-o', image],
      { encoding: 'utf8' },
    );
    assert.equal(built.status, 0, `phc image failed:\n${built.stderr}`);
    const printed = (log) => log.replace(/\r\n/g, '\n').includes(expected);
    const run = await boot({ disk: image, until: { test: printed }, deadlineMs: EXAMPLE_DEADLINE_MS });
    if (!printed(run.log)) {
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, `example-${name}.log`), run.log);
      assert.fail(
        `the console does not contain the expected output${run.timedOut ? ' (deadline passed)' : ''}\n` +
          `--- expected ---\n${expected}\n--- console ---\n${run.log}--- end ---`,
      );
    }
  });
}
