/**
 * The CLI journey of issue 6's "Done when", as a user types it, against the real kernel and
 * the counter example: build, up, checkpoint, let it run on, roll back, and check that the
 * console went back to counting from the checkpoint; then generations --json, snapshot now,
 * installing an edited program into the running machine (and running one), and the exit codes of
 * the usual mistakes.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_SNAPSHOT_INTERVAL_MS } from '../common/image-definition.js';
import {
  BOOT_DEADLINE_MS,
  buildTickKernel,
  libvirtSkipReason,
  PHANTOM_CLI,
  runPhantom,
  type TestState,
  temporaryState,
} from '../test-support/fixtures.js';
import { SOURCE_ROOT } from './build.js';
import { EXIT, main } from './cli.js';
import { chooseFirmware, machineArguments } from './firmware.js';
import { pollUntil } from './process-watch.js';

let state: TestState;

before(async () => {
  state = await temporaryState();
});

after(async () => {
  await state.cleanup();
});

/** Runs the CLI on this file's state folder. */
function phantom(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runPhantom(args, { ...process.env, PHANTOM_STATE_DIR: state.root });
}

async function ok(...args: string[]): Promise<string> {
  const result = await phantom(...args);
  assert.equal(result.code, 0, `phantom ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result.stdout;
}

const consoleLog = () =>
  readFile(join(state.root, 'machines', 'demo', 'logs', 'console.log'), 'utf8').catch(() => '');

function ticks(text: string): number[] {
  // The kernel's console ends lines with CR LF, as a terminal expects.
  return [...text.matchAll(/tick (\d+)\r?\n/g)].map((m) => Number(m[1]));
}

async function waitForConsole(pattern: RegExp, from: number): Promise<void> {
  const seen = await pollUntil(
    async () => pattern.test((await consoleLog()).slice(from)),
    BOOT_DEADLINE_MS,
    100,
  );
  assert.ok(seen, `the console never showed ${pattern}:\n${(await consoleLog()).slice(-400)}`);
}

async function waitForTick(atLeast: number, from = 0): Promise<number> {
  let newest = -1;
  const seen = await pollUntil(
    async () => {
      newest = ticks((await consoleLog()).slice(from)).reduce((a, b) => Math.max(a, b), -1);
      return newest >= atLeast;
    },
    BOOT_DEADLINE_MS,
    100,
  );
  assert.ok(seen, `the console never reached tick ${atLeast}:\n${(await consoleLog()).slice(-400)}`);
  return newest;
}

test('build, up, checkpoint, rollback, generations', { timeout: 10 * BOOT_DEADLINE_MS }, async () => {
  await ok('build', '--image', 'counter');
  await ok('up', 'demo', '--image', 'counter');
  // The machine records the image and the settings its definition gave it.
  const config = JSON.parse(await readFile(join(state.root, 'machines', 'demo', 'config.json'), 'utf8'));
  assert.equal(config.image, 'counter');
  assert.equal(config.snapshotIntervalMs, DEFAULT_SNAPSHOT_INTERVAL_MS);
  assert.equal(config.program, undefined);
  await waitForTick(3);
  assert.match(await ok('status', '--json'), /"state": "running"/);

  // The checkpoint comes after generation 2, so that a generation before it other than the first
  // is there to roll back to below (a loaded host commits fewer generations per tick).
  assert.ok(
    await pollUntil(
      async () =>
        (JSON.parse(await ok('generations', 'demo', '--json')) as { number: number }[]).some(
          (g) => g.number >= 2,
        ),
      BOOT_DEADLINE_MS,
      250,
    ),
    'the store never reached generation 2',
  );
  await ok('checkpoint', 'demo', 'before', '--description', 'counter early on');
  const checkpoints = JSON.parse(await ok('checkpoints', 'demo', '--json')) as {
    current: string;
    roots: { checkpoint: { consoleTail: string; generation: number } }[];
  };
  assert.equal(checkpoints.current, 'before');
  const atCheckpoint = ticks(checkpoints.roots[0]!.checkpoint.consoleTail).reduce(
    (a, b) => Math.max(a, b),
    -1,
  );
  await waitForTick(atCheckpoint + 10);

  const logLength = (await consoleLog()).length;
  await ok('rollback', 'demo', 'before');
  // The log runs on through the automatic checkpoint, then the counter drops back: the first
  // tick after the drop is the one after the checkpoint's.
  let dropAt = -1;
  let sequence: number[] = [];
  await pollUntil(
    async () => {
      sequence = ticks((await consoleLog()).slice(logLength));
      dropAt = sequence.findIndex((t, i) => i > 0 && t < sequence[i - 1]!);
      return dropAt > 0;
    },
    BOOT_DEADLINE_MS,
    100,
  );
  assert.ok(dropAt > 0, `the counter never went back after the rollback: ${sequence.join(',')}`);
  const first = sequence[dropAt]!;
  assert.ok(
    first <= atCheckpoint + 3,
    `after the rollback the counter went on from ${first}; it was at ${atCheckpoint} at the checkpoint (${sequence.join(',')})`,
  );
  const tree = JSON.parse(await ok('checkpoints', 'demo', '--json')) as {
    current: string;
    roots: { children: unknown[] }[];
  };
  assert.equal(tree.current, 'before');
  assert.equal(tree.roots[0]!.children.length, 1, 'the state before the rollback was kept');

  const generations = JSON.parse(await ok('generations', 'demo', '--json')) as { number: number }[];
  assert.ok(generations.length > 0);
  assert.ok(generations.every((g, i) => i === 0 || g.number > generations[i - 1]!.number));

  // `up` never starts another machine than the one asked for.
  const other = await phantom('up', 'demo', '--image', 'notes');
  assert.equal(other.code, EXIT.wrongState, other.stderr);
  assert.match(other.stderr, /machine 'demo' exists, made from image 'counter', not 'notes'/);

  // A rollback to a generation before the checkpoint keeps the present, and "you are here"
  // leaves the checkpoint whose moment is now in the future.
  const early = generations.find(
    (g) => g.number > 0 && g.number < checkpoints.roots[0]!.checkpoint.generation,
  );
  assert.ok(early, `a generation before the checkpoint's in ${generations.map((g) => g.number).join(',')}`);
  // The machine runs and its kernel serves ROLLBACK: it goes back in place, QEMU never restarts.
  const { pidFile } = (await state.machines.get('demo')).dir;
  const pidBefore = await readFile(pidFile, 'utf8');
  const beforeInPlace = (await consoleLog()).length;
  const rolled = await phantom('rollback', 'demo', `gen:${early.number}`);
  assert.equal(rolled.code, EXIT.ok, rolled.stderr);
  assert.match(
    rolled.stderr,
    new RegExp(`rolled back in place to generation ${early.number} \\(the state before is kept as 'auto-`),
  );
  const inPlaceLog = (await consoleLog()).slice(beforeInPlace);
  assert.match(
    inPlaceLog,
    new RegExp(`store: rolled back in place from generation \\d+ to generation ${early.number}:`),
  );
  assert.match(
    inPlaceLog,
    new RegExp(`rolled back to generation ${early.number} in place`),
    'the console is marked',
  );
  assert.doesNotMatch(inPlaceLog, /Phantom kernel/, 'no reboot');
  assert.equal(await readFile(pidFile, 'utf8'), pidBefore, 'the same QEMU');
  assert.match(await ok('status', 'demo'), /running/);
  const moved = JSON.parse(await ok('checkpoints', 'demo', '--json')) as { current: string | null };
  assert.equal(moved.current, null, 'the machine no longer descends from a checkpoint');
  assert.match(await ok('checkpoints', 'demo'), /^> you are here: generation \d+$/m);

  // What the studio's "Snapshot now" and "Install into machine" do, from a terminal.
  const { generation } = JSON.parse(await ok('snapshot', 'demo', '--json')) as { generation: number };
  const after = JSON.parse(await ok('generations', 'demo', '--json')) as { number: number }[];
  assert.ok(
    after.some((g) => g.number === generation),
    `generation ${generation} is on the store disk: ${after.map((g) => g.number).join(',')}`,
  );
  const counterSource = await readFile(join(SOURCE_ROOT, 'lang/examples/counter.ph'), 'utf8');
  const tock = join(state.root, 'counter.ph');
  await writeFile(tock, counterSource.replace('"tick "', '"tock "'));
  const fromBytes = (await consoleLog()).length;
  assert.deepEqual(JSON.parse(await ok('install', 'demo', tock, '--json')), { classes: ['.demo.counter'] });
  // The running loop's next call to tick() runs the new text, and the count goes on.
  await waitForConsole(/tock \d+\r?\n/, fromBytes);
  const hello = join(state.root, 'hello.ph');
  await writeFile(
    hello,
    'package .t;\nimport .internal.io.tty;\nclass hello { void run() { tty.println("hello from phantom install"); } };\n',
  );
  const installed = await phantom('install', 'demo', hello, '--run');
  assert.equal(installed.code, 0, installed.stderr);
  assert.match(installed.stderr, /installed \.t\.hello into 'demo'; started \.t\.hello/);
  await waitForConsole(/hello from phantom install/, fromBytes);
  const broken = join(state.root, 'broken.ph');
  await writeFile(broken, 'package .t;\nclass broken { void run() { x = 1; } };\n');
  const refused = await phantom('install', 'demo', broken, '--run');
  assert.equal(refused.code, EXIT.build, refused.stderr);
  assert.match(
    refused.stderr,
    /broken\.ph:2:\d+: error: .*\n.*does not compile \(1 error\); nothing was installed/,
  );

  // Stopped: the present kept is the disk alone; a checkpoint of it too; rm says what it freed.
  await ok('down', 'demo');
  assert.equal((await phantom('snapshot', 'demo')).code, EXIT.wrongState);
  assert.match(await ok('status', 'demo'), /stopped/);
  const stoppedRollback = JSON.parse(
    await ok('rollback', 'demo', `gen:${early.number}`, '--json', '--no-auto-checkpoint'),
  ) as { autoCheckpoint?: string; path: string; restartReason?: string };
  assert.equal(stoppedRollback.autoCheckpoint, undefined);
  assert.equal(stoppedRollback.path, 'restart', 'a stopped machine can only start again from the generation');
  assert.match(stoppedRollback.restartReason ?? '', /the machine is stopped/);
  await ok('down', 'demo');
  const off = await phantom('checkpoint', 'demo', 'off', '--description', 'stopped');
  assert.match(off.stderr, /checkpoint 'off' of 'demo' taken \(the disk of the stopped machine\)/);
  await ok('checkpoint', 'rename', 'demo', 'off', 'powered-off');
  await ok('checkpoint', 'describe', 'demo', 'powered-off', '--description', 'said later');
  assert.match(await ok('checkpoints', 'demo'), /^\* powered-off {2}\(.*, disk only\) {2}said later$/m);
  const removed = await phantom('checkpoint', 'rm', 'demo', 'powered-off');
  assert.match(
    removed.stderr,
    /checkpoint 'powered-off' of 'demo' deleted: freed the disk blocks only it held/,
  );
  const freed = await phantom('checkpoint', 'rm', 'demo', 'before');
  assert.match(freed.stderr, /deleted: freed [\d.]+ (KiB|MiB) of saved memory in the disk image/);
  assert.match(await ok('logs', 'demo'), /tick \d+/);
  await ok('rm', 'demo');
});

test('mistakes give clear messages and the documented exit codes', async () => {
  // A stopped machine of its own, with a blank disk (no store on it).
  await state.machines.create('idle', { kernelPath: await buildTickKernel(state.root) });
  const hello = join(state.root, 'idle-hello.ph');
  await writeFile(hello, 'package .t;\nclass hello { void run() { } };\n');
  const expectations: [string[], number, RegExp][] = [
    [['frobnicate'], EXIT.usage, /unknown command/],
    [['up', 'Bad Name', '--kernel', '/bin/true'], EXIT.usage, /machine name/],
    [['down'], EXIT.usage, /needs a machine name/],
    [['status', 'ghost'], EXIT.notFound, /no machine named 'ghost'/],
    [['rollback', 'idle', 'no-such-checkpoint'], EXIT.notFound, /no checkpoint 'no-such-checkpoint'/],
    [['rollback', 'idle', 'gen:3'], EXIT.disk, /no readable store/],
    [['checkpoint', 'rm', 'idle', 'nope'], EXIT.notFound, /no checkpoint 'nope'/],
    [
      ['checkpoint', 'rename', 'idle', 'nope'],
      EXIT.usage,
      /checkpoint rename <machine> <checkpoint> <new-name>/,
    ],
    [['checkpoint', 'describe', 'idle', 'nope'], EXIT.usage, /needs --description/],
    [['checkpoint', 'idle', 'a', 'b'], EXIT.usage, /too many arguments for checkpoint/],
    [['snapshot', 'idle'], EXIT.wrongState, /machine 'idle' is stopped, not running/],
    [['snapshot', 'ghost'], EXIT.notFound, /no machine named 'ghost'/],
    [['install', 'idle'], EXIT.usage, /install needs a program/],
    [['install', 'idle', '/no/such/file.ph'], EXIT.usage, /cannot read \/no\/such\/file\.ph/],
    [['install', 'idle', hello], EXIT.wrongState, /machine 'idle' is stopped: start it to install/],
    [['rm', 'idle', 'extra-argument'], EXIT.usage, /too many arguments/],
    [['up', 'other', '--driver', 'vbox', '--kernel', '/bin/true'], EXIT.usage, /--driver/],
    [['build', '--program', 'nope'], EXIT.usage, /no program 'nope'/],
    [
      ['build', '--image', 'nope'],
      EXIT.usage,
      /no image 'nope' in .*images; there are: bench, counter, graph, notes, prodcons/,
    ],
    [['build', '--image', '../counter'], EXIT.usage, /not an image name/],
    [['up', 'x', '--image', 'counter', '--program', 'counter'], EXIT.usage, /give one/],
    [['images', 'extra'], EXIT.usage, /too many arguments/],
    [['up', 'x', '--bogus'], EXIT.usage, /bogus/],
    [['continue', 'idle'], EXIT.usage, /continue needs a generation and a position/],
    [['continue', 'idle', 'gen:0', '--at', '1.5'], EXIT.usage, /--at 1\.5 is not a whole number/],
    [['continue', 'idle', 'gen:0', '--at', '10'], EXIT.notFound, /cannot replay generation 0 of 'idle'/],
  ];
  for (const [args, code, message] of expectations) {
    const result = await phantom(...args);
    assert.equal(result.code, code, `phantom ${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, `phantom ${args.join(' ')}`);
  }
  await ok('rm', 'idle');
  assert.equal((await phantom('status', 'idle')).code, EXIT.notFound);
});

test('phantom images lists the definitions in images/, as text and as JSON', async () => {
  const text = await ok('images');
  assert.match(text, /^counter +A thread that ticks every 100 ms .* \[counter\]$/m);
  const images = JSON.parse(await ok('images', '--json')) as { name: string; problem?: string }[];
  assert.deepEqual(
    images.map((image) => image.name),
    ['bench', 'counter', 'graph', 'notes', 'prodcons'],
  );
  assert.ok(images.every((image) => image.problem === undefined));
});

test('phantom console attaches in a terminal, passes keys through, and Ctrl-] detaches', async () => {
  const kernel = await buildTickKernel(state.root);
  await ok('up', 'tty', '--kernel', kernel);
  const { spawn: spawnPty } = await import('node-pty');
  const terminal = spawnPty(process.execPath, [PHANTOM_CLI, 'console', 'tty'], {
    cols: 100,
    rows: 30,
    env: { ...process.env, PHANTOM_STATE_DIR: state.root },
  });
  let screen = '';
  terminal.onData((text) => {
    screen += text;
  });
  const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
  try {
    assert.ok(await pollUntil(async () => /tick \d+/.test(screen), BOOT_DEADLINE_MS, 50), screen);
    terminal.write('q');
    assert.ok(
      await pollUntil(async () => screen.includes('echo: q'), BOOT_DEADLINE_MS, 50),
      screen.slice(-300),
    );
    terminal.write('\x1d');
    assert.equal(await exited, EXIT.ok);
    assert.match(screen, /detached from 'tty'/);
  } finally {
    terminal.kill();
  }
  assert.match(await ok('status', 'tty'), /running/, 'detaching leaves the machine running');
  await ok('kill', 'tty');
  await ok('rm', 'tty');
});

/** What one in-process run of the CLI wrote, with stderr a terminal or not. */
async function runInProcess(
  args: string[],
  interactive: boolean,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    interactive,
  });
  return { code, out, err };
}

test('progress bars are drawn on a terminal only, and never with --json', async () => {
  const previous = process.env.PHANTOM_STATE_DIR;
  process.env.PHANTOM_STATE_DIR = state.root;
  try {
    const bars = await runInProcess(['build'], true);
    assert.equal(bars.code, EXIT.ok, bars.err);
    assert.match(bars.err, /\r\x1b\[2K\[#{24}\] 100% (kernel up to date|kernel built) \(\d+\.\d s\)\n/);

    const json = await runInProcess(['build', '--json'], true);
    assert.equal(json.code, EXIT.ok, json.err);
    const built = JSON.parse(json.out) as { kernelPath: string; upToDate: boolean };
    assert.match(built.kernelPath, /phantom\.elf$/);
    assert.equal(built.upToDate, true);
    assert.doesNotMatch(json.err, /\x1b|%/, 'a bar was drawn with --json');

    const piped = await runInProcess(['build'], false);
    assert.equal(piped.code, EXIT.ok, piped.err);
    assert.equal(piped.err, 'up to date\n', 'stderr is no terminal, so no bar');
  } finally {
    if (previous === undefined) delete process.env.PHANTOM_STATE_DIR;
    else process.env.PHANTOM_STATE_DIR = previous;
  }
});

test('up, checkpoint and rollback draw their steps on a terminal, and --json stays clean', async () => {
  const previous = process.env.PHANTOM_STATE_DIR;
  process.env.PHANTOM_STATE_DIR = state.root;
  try {
    const kernel = await buildTickKernel(state.root);
    const up = await runInProcess(['up', 'bars', '--kernel', kernel], true);
    assert.equal(up.code, EXIT.ok, up.err);
    assert.match(up.err, /starting the machine… \d+\.\d s/);
    assert.match(up.err, /\[#{24}\] 100% console is talking \(\d+\.\d s\)\n/);
    assert.match(up.err, /machine 'bars' is running \((TCG|KVM|PHANTOM_ACCEL).*\); console/);
    const checkpoint = await runInProcess(['checkpoint', 'bars', 'one'], true);
    assert.equal(checkpoint.code, EXIT.ok, checkpoint.err);
    assert.match(checkpoint.err, /saving the checkpoint… \d+\.\d s/);
    assert.match(checkpoint.err, /\[#{24}\] 100% checkpoint saved \(\d+\.\d s\)\n/);

    const rollback = await runInProcess(['rollback', 'bars', 'one', '--json'], true);
    assert.equal(rollback.code, EXIT.ok, rollback.err);
    const result = JSON.parse(rollback.out) as { revertedTo: string; autoCheckpoint: string };
    assert.equal(result.revertedTo, 'one');
    assert.match(result.autoCheckpoint, /^auto-/);
    assert.doesNotMatch(rollback.err, /\x1b|%/, 'a bar was drawn with --json');

    const drawn = await runInProcess(['rollback', 'bars', 'one'], true);
    assert.equal(drawn.code, EXIT.ok, drawn.err);
    assert.match(drawn.err, /\[#{12}-{12}\] {2}50% present kept/);
    assert.match(drawn.err, /\[#{24}\] 100% reverted \(\d+\.\d s\)\n/);

    const failed = await runInProcess(['checkpoint', 'bars', 'one'], true);
    assert.equal(failed.code, EXIT.wrongState);
    assert.match(
      failed.err,
      /checkpoint failed \(\d+\.\d s\)\nphantom: machine 'bars' already has a checkpoint 'one'/,
    );
  } finally {
    if (previous === undefined) delete process.env.PHANTOM_STATE_DIR;
    else process.env.PHANTOM_STATE_DIR = previous;
    await ok('kill', 'bars');
    await ok('rm', 'bars');
  }
});

test('up with the libvirt driver returns: the console it opened does not keep the CLI alive', {
  skip: libvirtSkipReason(),
}, async () => {
  const kernel = await buildTickKernel(state.root);
  await ok('up', `lv-${process.pid}`, '--driver', 'libvirt', '--kernel', kernel);
  assert.match(await ok('status', `lv-${process.pid}`), /running/);
  await ok('kill', `lv-${process.pid}`);
  await ok('rm', `lv-${process.pid}`);
});

test('doctor says what this host offers, which accelerator and machine machines get and why', async () => {
  const report = JSON.parse(await ok('doctor', '--json')) as {
    qemu: { ok: boolean; detail: string };
    accelerator: { ok: boolean; name: string; detail: string };
    firmware: { ok: boolean; detail: string };
    libvirt: { ok: boolean; detail: string };
    chromium: { detail: string };
    electron: { detail: string };
  };
  assert.equal(report.qemu.ok, true);
  assert.match(report.qemu.detail, /^QEMU emulator version \d+\.\d+/);
  assert.ok(['kvm', 'tcg'].includes(report.accelerator.name));
  assert.match(report.accelerator.detail, /^(TCG|KVM): /);
  assert.match(report.libvirt.detail, /libvirtd (answers|does not answer) at qemu:\/\/\/system/);
  assert.ok(report.chromium.detail.length > 0 && report.electron.detail.length > 0);
  const text = await ok('doctor');
  assert.match(text, /^ok {2}QEMU {8}QEMU emulator version/m);
  assert.match(text, /^ok {2}accelerator (TCG|KVM): /m);
  const only = await phantom('doctor', '--accelerator');
  assert.equal(only.stdout, `${report.accelerator.name}\n`);
  assert.equal(only.stderr, `${report.accelerator.detail}\n`);
  const machine = await phantom('doctor', '--machine');
  assert.equal(
    machine.stdout,
    machineArguments(await chooseFirmware())
      .map((a) => `${a}\n`)
      .join(''),
  );
  assert.equal(machine.stderr, `${report.firmware.detail}\n`);
  const bad = await runPhantom(['doctor', '--accelerator'], { ...process.env, PHANTOM_ACCEL: 'fast' });
  assert.equal(bad.code, EXIT.usage);
  assert.match(bad.stderr, /PHANTOM_ACCEL is 'kvm' or 'tcg'/);
});
