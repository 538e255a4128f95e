// buildImageFile writes a sparse store file that mounts back to the built space, and the
// run-image CLI runs it and prints exactly the console bytes (with limits, and clear errors),
// refuses a store cut short, and dumps the space it stops with.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildSpace } from '../common/image/builder.js';
import { program, systemClasses } from '../common/interp/assembler.js';
import { Machine } from '../common/interp/machine.js';
import { compareSpaces } from '../common/interp/space-compare.js';
import * as L from '../common/spec/generated.js';
import { buildImageFile } from './image-file.js';
import { readSpaceDump } from './space-file.js';
import { openStoreFile } from './store-file.js';

const dir = mkdtempSync(join(tmpdir(), 'phantom-image-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const runImage = fileURLToPath(new URL('./run-image.js', import.meta.url));

/** Prints "tick N" every 100 ms of machine time, forever. */
const ticker = program([
  ...systemClasses(),
  {
    name: '.t.Ticker',
    methods: [
      {
        name: 'run',
        argc: 1,
        locals: 2,
        consts: [
          { kind: 'method', owner: '.internal.io.tty', name: 'println' },
          { kind: 'string', value: 'tick ' },
          { kind: 'method', owner: '.internal.time', name: 'sleep' },
        ],
        code: `top:
               PUSH_CONST 1
               LOAD 1
               I2S
               CONCAT
               CALL_STATIC 0 1
               LOAD 1
               PUSH_INT 1
               ADD
               STORE 1
               PUSH_INT 100
               CALL_STATIC 2 1
               JMP @top`,
      },
    ],
  },
]);

test('buildImageFile writes a sparse store that mounts back to exactly the built space', async () => {
  const out = join(dir, 'ticker.store');
  await buildImageFile(ticker, { spaceBytes: 2 << 20, diskBytes: 8 << 20, mainClasses: ['.t.Ticker'] }, out);
  const stat = statSync(out);
  assert.equal(stat.size, 8 << 20);
  assert.ok(stat.blocks * 512 < 1 << 20, `sparse: ${stat.blocks * 512} bytes allocated`);
  const { store, close } = openStoreFile(out);
  try {
    assert.equal(store.superblock.blockCount, (8 << 20) / L.BLOCK_SIZE);
    const space = store.mount().space;
    const expected = buildSpace(ticker, { spaceBytes: 2 << 20, mainClasses: ['.t.Ticker'] });
    assert.equal(space.length, expected.length);
    // Only the build's wall-clock stamp differs between builds, and it is not in the space.
    assert.deepEqual(space, expected);
  } finally {
    close();
  }
  await assert.rejects(
    buildImageFile(ticker, { mainClasses: ['.t.None'] }, join(dir, 'x.store')),
    /not in the program/,
  );
});

test('run-image prints the console bytes within the limits; bad input exits 1 or 2 with a message', async () => {
  const out = join(dir, 'run.store');
  await buildImageFile(ticker, { spaceBytes: L.SPACE_SIZE_MIN, mainClasses: ['.t.Ticker'] }, out);
  const run = (...args: string[]) => spawnSync(process.execPath, [runImage, ...args], { encoding: 'utf8' });
  const limited = run(out, '--max-ms', '350', '--stats');
  assert.equal(limited.status, 0, limited.stderr);
  assert.equal(limited.stdout, 'tick 0\ntick 1\ntick 2\ntick 3\n');
  assert.match(limited.stderr, /generation 0: max-time after \d+ steps at 350 ms machine time/);
  const steps = run(out, '--max-steps', '30');
  assert.equal(steps.stdout, 'tick 0\ntick 1\n');

  // A reader that goes away (`| head -1`) ends the run quietly.
  const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${runImage}" "${out}" | head -1`], {
    encoding: 'utf8',
  });
  assert.equal(piped.stdout, 'tick 0\n');
  assert.equal(piped.stderr, '');

  const garbage = join(dir, 'garbage.store');
  writeFileSync(garbage, Buffer.alloc(3 * L.BLOCK_SIZE, 7));
  const bad = run(garbage);
  assert.equal(bad.status, 1);
  assert.match(
    bad.stderr,
    /^run-image: .*garbage\.store: no usable superblock: superblock A \(block 0\): bad magic/,
  );
  const corrupt = join(dir, 'corrupt.store');
  const bytes = readFileSync(out);
  bytes[5 * L.BLOCK_SIZE + 100]! ^= 1;
  writeFileSync(corrupt, bytes);
  assert.match(run(corrupt).stderr, /no generation verifies: generation 0 page 0 .*checksum mismatch/);
  assert.equal(run(join(dir, 'missing.store')).status, 1);
  const usage = run(out, '--max-ms', 'soon');
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--max-ms needs a non-negative integer, not 'soon'\nusage: run-image/);
  assert.equal(run().status, 2);
  // node:util parseArgs reads the line: unknown options, missing values and a second file are usage errors.
  for (const [args, message] of [
    [[out, '--fast'], /Unknown option '--fast'/],
    [[out, '--gen'], /Option '--gen <value>' argument missing/],
    [[out, '--max-steps=-3'], /--max-steps needs a non-negative integer, not '-3'/],
    [[out, '--max-steps', '-3'], /argument is ambiguous/],
    [[out, out], /unexpected argument/],
    [['--stats'], /no store file given/],
  ] as const) {
    const r = run(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
  assert.equal(run(out, '--gen=0', '--max-steps=30').stdout, 'tick 0\ntick 1\n', 'the --name=value form');
});

test('run-image refuses a store cut short, as the kernel does', async () => {
  const out = join(dir, 'whole.store');
  await buildImageFile(ticker, { spaceBytes: L.SPACE_SIZE_MIN, mainClasses: ['.t.Ticker'] }, out);
  const run = (...args: string[]) => spawnSync(process.execPath, [runImage, ...args], { encoding: 'utf8' });
  const bytes = readFileSync(out);
  let used = bytes.length / L.BLOCK_SIZE;
  while (bytes.subarray((used - 1) * L.BLOCK_SIZE, used * L.BLOCK_SIZE).every((b) => b === 0)) used--;
  // Every block the store uses is still there; only the free room after them is gone.
  const short = join(dir, 'short.store');
  writeFileSync(short, bytes.subarray(0, used * L.BLOCK_SIZE));
  const refused = run(short, '--max-steps', '30');
  assert.equal(refused.status, 1);
  assert.equal(refused.stdout, '');
  assert.match(
    refused.stderr,
    /superblock A \(block 0\): the store has \d+ blocks, the disk only \d+ \(cut short\?\)/,
  );
});

test('run-image --dump-space writes the space it stops with', async () => {
  const out = join(dir, 'dumped.store');
  await buildImageFile(ticker, { spaceBytes: L.SPACE_SIZE_MIN, mainClasses: ['.t.Ticker'] }, out);
  const run = (...args: string[]) => spawnSync(process.execPath, [runImage, ...args], { encoding: 'utf8' });
  const dump = join(dir, 'ticker.space');
  assert.equal(run(out, '--max-steps', '30', '--dump-space', dump).status, 0);
  const space = readSpaceDump(dump);
  assert.equal(space.length, L.SPACE_SIZE_MIN);
  const header = new DataView(space.buffer);
  assert.equal(header.getUint32(L.SH_MAGIC, true), L.SPACE_MAGIC);
  const { store, close } = openStoreFile(out);
  const machine = new Machine(store.mount().space);
  close();
  machine.run({ maxSteps: 30 });
  assert.deepEqual(compareSpaces(machine.space.bytes, space), [], 'the same machine as a run here');
});
