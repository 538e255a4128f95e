/**
 * The `phantom` command: the same `Machines` service and build pipeline the studio uses, from a
 * terminal. Every command that acts on a machine takes its name first; listings take --json;
 * exit codes are stable (see EXIT and `phantom help`).
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isClosedPipe } from '@phantom/lang/node/closed-output.js';
import { type BuildOptions, DRIVER_NAMES, type DriverName, type MachineConfigInput } from '../common/api.js';
import { formatBytes, formatCheckpointTree } from '../common/checkpoint-tree.js';
import { isVmError, VmError, type VmErrorCode } from '../common/errors.js';
import { imageMachineConfig } from '../common/image-definition.js';
import { programClassName } from '../common/install-program.js';
import { type ProgressEvent, progressStep } from '../common/progress.js';
import { chooseAccelerator } from './accelerator.js';
import { build, SOURCE_ROOT } from './build.js';
import { dapCommand } from './dap.js';
import { chooseFirmware, machineArguments } from './firmware.js';
import { formatGenerations } from './generations.js';
import { defaultKernelPath, formatHostReport, hostReport } from './host-report.js';
import { imagesDir, listImages } from './images.js';
import { inspectMachine } from './inspect.js';
import { type Machine, Machines } from './machines.js';
import { pollUntil } from './process-watch.js';
import { readProgramFile } from './program-file.js';
import { continueFromReplay } from './replay-branch.js';
import { TerminalProgress } from './terminal-progress.js';

/** Exit statuses scripts can rely on. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  wrongState: 4,
  hypervisor: 5,
  disk: 6,
  build: 7,
} as const;

const EXIT_FOR_CODE: Record<VmErrorCode, number> = {
  'bad-input': EXIT.usage,
  'name-taken': EXIT.wrongState,
  'no-such-machine': EXIT.notFound,
  'machine-busy': EXIT.wrongState,
  'bad-state': EXIT.wrongState,
  'no-such-checkpoint': EXIT.notFound,
  'checkpoint-taken': EXIT.wrongState,
  'hypervisor-missing': EXIT.hypervisor,
  'hypervisor-failed': EXIT.hypervisor,
  'qmp-error': EXIT.hypervisor,
  timeout: EXIT.hypervisor,
  'disk-problem': EXIT.disk,
  'build-failed': EXIT.build,
  'not-available': EXIT.failure,
  'debug-channel': EXIT.failure,
};

const USAGE = `usage: phantom <command> [machine] [options]

  build [--image I]                            build the kernel (and image I, images/I.json)
  images [--json]                              the image definitions in images/, with any problems
  up <name> [--image I] [--driver qemu|libvirt] [--uri URI] [--memory MiB]
            [--kernel ELF] [--image-file IMG]  create the machine if needed, build, start
  down <name>                                  stop cleanly
  kill <name>                                  power off at once (a power cut)
  status [name] [--json]                       machines and their states
  console <name>                               attach to the console (Ctrl-] detaches)
  logs <name> [--bytes N]                      what the console printed
  checkpoint <name> [checkpoint] [--description TEXT]
                                               take a checkpoint (of a stopped machine: its disk)
  checkpoint rm <name> <checkpoint>            delete it, and say what that freed
  checkpoint rename <name> <checkpoint> <new-name>
  checkpoint describe <name> <checkpoint> --description TEXT
  checkpoints <name> [--json]                  the checkpoint tree: * marks the checkpoint the
                                               machine came from, > where it is now
  generations <name> [--json]                  kernel generations on the store disk, damage and the one it resumes from marked
  rollback <name> <checkpoint|gen:N> [--no-auto-checkpoint]
                                               the present is kept as a checkpoint first
  continue <name> gen:N --at I [--no-auto-checkpoint] [--json]
                                               replay generation N to instruction I and continue
                                               the machine from there: a new generation on a new
                                               branch (a running machine goes on from it in
                                               place, a stopped one boots it when started)
  rm <name> [--force]                          delete the machine and its disks
  snapshot <name> [--json]                     the kernel commits a generation now
  install <name> <file.ph> [--run] [--json]    compile a program and install its classes into the
                                               running machine, replacing them live; --run then
                                               starts its program class in a new thread
  inspect <name> <summary|object|path|threads|history|diff|generations> [--json] [--at gen:N]
                                               look inside: live when running, else the store
  dap                                          a debug adapter (Debug Adapter Protocol) on stdin/stdout:
                                               attach {"machine": NAME}, or launch {"machine": NAME,
                                               "image"?: I, "program"?: FILE.ph}; attach {"machine": NAME,
                                               "replay": GEN} replays a kept generation (step back too)
  doctor [--json]                              what this host offers: QEMU, the accelerator and
                                               why, libvirtd, Chromium, Electron
  doctor --accelerator [--kernel ELF]          just the accelerator machines get: kvm or tcg
  doctor --machine                             just QEMU's machine and firmware arguments for a
                                               kernel it loads, one a line (qboot where QEMU has it)

KVM is used only when a probe boot of the kernel under it passes (cached per QEMU, kernel and
host boot); PHANTOM_ACCEL=kvm or PHANTOM_ACCEL=tcg forces the choice.

--program P (a lang/examples program, as machines made before images/ were) may stand in for
--image in build and up.

exit status: 0 ok, 1 failure, 2 usage or bad input, 3 no such machine/checkpoint/generation,
4 wrong state (running, busy, name taken), 5 hypervisor missing or failing, 6 disk problem,
7 build failed.`;

class UsageError extends Error {}

/** How many plain arguments each command takes (the machine's name first). */
const MOST_POSITIONALS: Record<string, number> = {
  build: 0,
  images: 0,
  up: 1,
  down: 1,
  kill: 1,
  status: 1,
  console: 1,
  logs: 1,
  // checkpoint rename <machine> <checkpoint> <new-name> is the longest form (checkpointCommand).
  checkpoint: 4,
  checkpoints: 1,
  generations: 1,
  rollback: 2,
  continue: 2,
  rm: 1,
  snapshot: 1,
  install: 2,
  dap: 0,
  doctor: 0,
};

interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars redraw in place there). */
  interactive: boolean;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
};

const OPTIONS = {
  json: { type: 'boolean' },
  driver: { type: 'string' },
  uri: { type: 'string' },
  program: { type: 'string' },
  memory: { type: 'string' },
  kernel: { type: 'string' },
  image: { type: 'string' },
  'image-file': { type: 'string' },
  description: { type: 'string' },
  bytes: { type: 'string' },
  at: { type: 'string' },
  force: { type: 'boolean' },
  'no-auto-checkpoint': { type: 'boolean' },
  run: { type: 'boolean' },
  accelerator: { type: 'boolean' },
  machine: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** How long `up` shows its bar waiting for the guest's first console line before giving up on it. */
const FIRST_LINE_WAIT_MS = 30_000;

interface Progress {
  /** True when a bar is drawn (stderr is a terminal and no --json was asked for). */
  readonly shown: boolean;
  readonly handle: (event: ProgressEvent) => void;
  end(): void;
}

/**
 * Progress bars only where a person watches: stderr a terminal, and no --json (a script reads
 * that). Compiler diagnostics are no progress and are printed either way.
 */
function progressFor(io: Io, options: Options): Progress {
  if (io.interactive && !options.json) {
    const terminal = new TerminalProgress(io.err);
    return { shown: true, handle: terminal.handle, end: () => terminal.end() };
  }
  return {
    shown: false,
    handle: (event) => {
      if (event.kind !== 'diagnostic') return;
      const d = event.diagnostic;
      io.err(`${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}\n`);
    },
    end: () => undefined,
  };
}

/** The newest generation on the machine's store disk (where it is now), or null when none can be read. */
async function readNewest(machine: Machine): Promise<number | null> {
  return (await machine.generations().catch(() => [])).at(-1)?.number ?? null;
}

/** The console log's size now: where the output of a boot about to start will begin. */
async function consoleLogSize(machine: Machine): Promise<number> {
  return (await stat(machine.dir.consoleLog).catch(() => undefined))?.size ?? 0;
}

/** Resolves once the console log holds a whole line past `fromBytes`, or false at the deadline. */
async function firstConsoleLine(machine: Machine, fromBytes: number): Promise<boolean> {
  const LOOK_AT_BYTES = 4096;
  return pollUntil(async () => {
    const file = await open(machine.dir.consoleLog, 'r').catch(() => undefined);
    if (!file) return false;
    try {
      const { bytesRead, buffer } = await file.read(Buffer.alloc(LOOK_AT_BYTES), 0, LOOK_AT_BYTES, fromBytes);
      return buffer.subarray(0, bytesRead).includes(0x0a);
    } finally {
      await file.close();
    }
  }, FIRST_LINE_WAIT_MS);
}

function positiveInt(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new UsageError(`${what} must be a positive whole number, not '${value}'`);
  return n;
}

function needName(positionals: string[], command: string): string {
  const name = positionals[0];
  if (!name) throw new UsageError(`${command} needs a machine name: phantom ${command} <name>`);
  return name;
}

/** What `build` and `up` build besides the kernel: the image or program named, if any. */
function buildOptions(options: Options): BuildOptions {
  if (options.image !== undefined && options.program !== undefined)
    throw new UsageError('--image and --program name the same thing: give one');
  if (options.image !== undefined) return { image: options.image };
  if (options.program !== undefined) return { program: options.program };
  return {};
}

function json(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

async function up(machines: Machines, name: string, options: Options, io: Io): Promise<void> {
  const driver = options.driver;
  if (driver !== undefined && !(DRIVER_NAMES as readonly string[]).includes(driver))
    throw new UsageError(`--driver is one of ${DRIVER_NAMES.join(', ')}, not '${driver}'`);
  let machine: Machine;
  try {
    machine = await machines.get(name);
    const difference = configDifference(machine, options);
    if (difference)
      throw new VmError(
        'name-taken',
        `machine '${name}' exists, ${difference}: 'phantom up ${name}' starts it as it is; 'phantom rm ${name}' first, or another name, for a new one`,
      );
  } catch (err) {
    if (!isVmError(err, 'no-such-machine')) throw err;
    const what = buildOptions(options);
    let kernelPath = options.kernel;
    let imagePath = options['image-file'];
    let fromImage: ReturnType<typeof imageMachineConfig> | undefined;
    // Without --kernel, or with an image or program to build, the build runs (the kernel with it);
    // --kernel and --image-file take the place of what it made.
    if (kernelPath === undefined || what.image !== undefined || what.program !== undefined) {
      const built = await withProgress(io, options, (progress) => build(what, progress.handle));
      kernelPath ??= built.kernelPath;
      imagePath ??= built.imagePath;
      if (built.definition) fromImage = imageMachineConfig(built.definition);
    }
    const config: MachineConfigInput = {
      kernelPath,
      ...(imagePath ? { imagePath } : {}),
      ...(driver ? { driver: driver as DriverName } : {}),
      ...(options.uri ? { uri: options.uri } : {}),
      ...fromImage,
      ...(what.program ? { program: what.program } : {}),
    };
    const memoryMiB = positiveInt(options.memory, '--memory');
    if (memoryMiB !== undefined) config.memoryMiB = memoryMiB;
    machine = await machines.create(name, config);
    io.err(`created machine '${name}' (${machine.config.driver})\n`);
  }
  const { state } = await machine.status();
  if (state === 'running' || state === 'paused') {
    io.err(`machine '${name}' is already ${state}\n`);
    return;
  }
  const started = machine;
  const notes: string[] = [];
  const talking = await withProgress(io, options, async (progress) => {
    // Only a person watching the bar waits for the console; a script has `up` return at once.
    if (!progress.shown) {
      notes.push(...(await started.start()).notes);
      return undefined;
    }
    const logStart = await consoleLogSize(started);
    const result = await progressStep('start', 0, 50, progress.handle, () => started.start());
    notes.push(...result.notes);
    return progressStep('first-console-line', 50, 100, progress.handle, () =>
      firstConsoleLine(started, logStart),
    );
  });
  for (const note of notes) io.err(`${note}\n`);
  const silence = talking === false ? ` (no console output within ${FIRST_LINE_WAIT_MS / 1000} s)` : '';
  const { accelerator } = await started.status();
  const under = accelerator ? ` (${accelerator.why})` : '';
  io.err(`machine '${name}' is running${under}${silence}; console: phantom console ${name}\n`);
}

/**
 * How the options given to `up` differ from what the existing machine was made with (said in
 * words), or undefined when they agree: `up` never silently starts a machine other than the one
 * asked for.
 */
function configDifference(machine: Machine, options: Options): string | undefined {
  const config = machine.config;
  const made = config.image
    ? `made from image '${config.image}'`
    : config.program
      ? `made from program '${config.program}'`
      : 'made from no image';
  if (options.image !== undefined && options.image !== config.image) return `${made}, not '${options.image}'`;
  if (options.program !== undefined && options.program !== (config.program ?? config.image))
    return `${made}, not program '${options.program}'`;
  if (options.driver !== undefined && options.driver !== config.driver)
    return `run by ${config.driver}, not ${options.driver}`;
  if (options.uri !== undefined && (config.driver !== 'libvirt' || options.uri !== config.uri))
    return `on ${config.driver === 'libvirt' ? config.uri : 'QEMU here'}, not ${options.uri}`;
  const memory = positiveInt(options.memory, '--memory');
  if (memory !== undefined && memory !== config.memoryMiB)
    return `with ${config.memoryMiB} MiB, not ${memory}`;
  const same = (given: string, kept: string | undefined) =>
    kept !== undefined && resolve(given) === resolve(kept);
  if (options.kernel !== undefined && !same(options.kernel, config.kernelPath))
    return `booting ${config.kernelPath ?? 'no kernel'}, not ${options.kernel}`;
  if (options['image-file'] !== undefined && !same(options['image-file'], config.imagePath))
    return `made from ${config.imagePath ?? 'no image file'}, not ${options['image-file']}`;
  return undefined;
}

/**
 * `phantom checkpoint`: take one (`checkpoint <machine> [name]`), or `rm`, `rename` or
 * `describe` one. The forms cannot be mistaken for each other: the taking form has at most two
 * arguments, and each other form more.
 */
async function checkpointCommand(machines: Machines, positionals: string[], options: Options, io: Io) {
  const [verb, machineName, checkpoint, newName] = positionals;
  const edit = positionals.length >= 3 && (verb === 'rm' || verb === 'rename' || verb === 'describe');
  if (!edit) {
    if (positionals.length > 2)
      throw new UsageError(`too many arguments for checkpoint: ${positionals.slice(2).join(' ')}`);
    const machine = await machines.get(needName(positionals, 'checkpoint'));
    const name = positionals[1] ?? `cp-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const taken = await withProgress(io, options, (progress) =>
      machine.checkpoints.create(name, options.description ?? '', progress.handle),
    );
    if (options.json) return json(io, taken);
    io.err(`checkpoint '${taken.name}' of '${machine.name}' taken${taken.machineState === 'stopped' ? ' (the disk of the stopped machine)' : ''}
`);
    return;
  }
  const machine = await machines.get(machineName!);
  const expected = verb === 'rename' ? 4 : 3;
  if (positionals.length !== expected)
    throw new UsageError(
      verb === 'rename'
        ? 'usage: phantom checkpoint rename <machine> <checkpoint> <new-name>'
        : `usage: phantom checkpoint ${verb} <machine> <checkpoint>${verb === 'describe' ? ' --description TEXT' : ''}`,
    );
  if (verb === 'rm') {
    const { freedBytes } = await machine.checkpoints.delete(checkpoint!);
    if (options.json) return json(io, { deleted: checkpoint, freedBytes });
    const freed =
      freedBytes === null
        ? 'the hypervisor no longer had it; its record is gone'
        : freedBytes === 0
          ? 'freed the disk blocks only it held'
          : `freed ${formatBytes(freedBytes)} of saved memory in the disk image`;
    io.err(`checkpoint '${checkpoint}' of '${machine.name}' deleted: ${freed}
`);
    return;
  }
  if (verb === 'rename') {
    const renamed = await machine.checkpoints.rename(checkpoint!, newName!);
    if (options.json) return json(io, renamed);
    io.err(`checkpoint '${checkpoint}' of '${machine.name}' is now '${renamed.name}'
`);
    return;
  }
  if (options.description === undefined) throw new UsageError('checkpoint describe needs --description TEXT');
  const described = await machine.checkpoints.describe(checkpoint!, options.description);
  if (options.json) return json(io, described);
  io.err(`checkpoint '${checkpoint}' of '${machine.name}' described
`);
}

/** Runs `action` with this command's progress, and always ends the bar's line. */
async function withProgress<T>(
  io: Io,
  options: Options,
  action: (progress: Progress) => Promise<T>,
): Promise<T> {
  const progress = progressFor(io, options);
  try {
    return await action(progress);
  } finally {
    progress.end();
  }
}

/** `phantom install`: what the studio's "Install into machine" (and "Install and run") does. */
async function install(
  machines: Machines,
  name: string,
  file: string | undefined,
  options: Options,
  io: Io,
): Promise<void> {
  if (file === undefined)
    throw new UsageError('install needs a program: phantom install <name> <file.ph> [--run]');
  const machine = await machines.get(name);
  const { classes, errors } = await readProgramFile(file);
  for (const e of errors) io.err(`${e.file}:${e.line}:${e.column}: error: ${e.message}\n`);
  if (errors.length > 0)
    throw new VmError(
      'build-failed',
      `${file} does not compile (${errors.length} error${errors.length === 1 ? '' : 's'}); nothing was installed`,
    );
  const runClass = options.run ? programClassName(file, classes) : undefined;
  const result = await machine.channel.installClasses(classes, runClass);
  if (options.json) return json(io, result);
  const started = result.ran ? `; started ${result.ran}` : '';
  io.err(`installed ${result.classes.join(', ') || 'no classes'} into '${machine.name}'${started}\n`);
}

/**
 * Interactive console: raw terminal, Ctrl-] detaches, the machine keeps running. It also
 * detaches when its output's reader goes away (`phantom console demo | head`).
 */
async function consoleCommand(machine: Machine, io: Io): Promise<void> {
  const attachment = await machine.attachConsole({ ack: 'auto' });
  const detachWhenReaderCloses = (err: Error): void => {
    if (isClosedPipe(err)) attachment.dispose();
  };
  process.stdout.on('error', detachWhenReaderCloses);
  const DETACH = 0x1d;
  const SCROLLBACK_SHOWN = 16 * 1024;
  io.err(`attached to '${machine.name}'; Ctrl-] detaches\r\n`);
  process.stdout.write(
    attachment.scrollback.subarray(Math.max(0, attachment.scrollback.length - SCROLLBACK_SHOWN)),
  );
  attachment.onData((bytes) => process.stdout.write(bytes));
  const stdin = process.stdin;
  const wasRaw = stdin.isTTY ? stdin.isRaw : false;
  if (stdin.isTTY) stdin.setRawMode(true);
  await new Promise<void>((resolve) => {
    const finish = (): void => {
      process.stdout.off('error', detachWhenReaderCloses);
      stdin.off('data', onInput);
      if (stdin.isTTY) stdin.setRawMode(wasRaw);
      stdin.pause();
      resolve();
    };
    const onInput = (chunk: Buffer): void => {
      const at = chunk.indexOf(DETACH);
      if (at >= 0) {
        if (at > 0) attachment.write(chunk.subarray(0, at));
        attachment.dispose();
        return;
      }
      attachment.write(chunk);
    };
    attachment.onDidClose(finish);
    stdin.on('data', onInput);
    stdin.on('end', () => attachment.dispose());
    stdin.resume();
  });
  io.err(`\r\ndetached from '${machine.name}'\r\n`);
}

async function run(argv: string[], io: Io): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.out(`${USAGE}\n`);
    return;
  }
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: options, positionals } = parsed;
  const most = MOST_POSITIONALS[command];
  if (most !== undefined && positionals.length > most)
    throw new UsageError(`too many arguments for ${command}: ${positionals.slice(most).join(' ')}`);
  const machines = new Machines();
  try {
    switch (command) {
      case 'build': {
        const what = buildOptions(options);
        const result = await withProgress(io, options, (progress) => build(what, progress.handle));
        if (options.json) json(io, result);
        else io.err(result.upToDate ? 'up to date\n' : 'built\n');
        return;
      }
      case 'images': {
        const images = await listImages(imagesDir(SOURCE_ROOT));
        if (options.json) return json(io, images);
        if (images.length === 0) io.err(`no image definitions in ${imagesDir(SOURCE_ROOT)}\n`);
        const width = Math.max(0, ...images.map((image) => image.name.length)) + 2;
        for (const image of images)
          io.out(
            image.problem
              ? `${image.name.padEnd(width)}(not usable) ${image.problem.replaceAll('\n', `\n${' '.repeat(width)}`)}\n`
              : `${image.name.padEnd(width)}${image.description} [${image.programs.join(', ')}]\n`,
          );
        return;
      }
      case 'up':
        return await up(machines, needName(positionals, command), options, io);
      case 'down': {
        const machine = await machines.get(needName(positionals, command));
        await withProgress(io, options, (progress) =>
          progressStep('stop', 0, 100, progress.handle, () => machine.stop()),
        );
        return;
      }
      case 'kill':
        await (await machines.get(needName(positionals, command))).powerOff();
        return;
      case 'status': {
        const statuses = positionals[0]
          ? [await (await machines.get(positionals[0])).status()]
          : await machines.list();
        if (options.json) return json(io, statuses);
        for (const s of statuses) {
          const how = `${s.driver}${s.accelerator ? `/${s.accelerator.name}` : ''}`;
          io.out(
            `${s.name.padEnd(20)} ${s.state.padEnd(9)} ${how.padEnd(12)}${s.reason ? ` (${s.reason})` : ''}\n`,
          );
        }
        return;
      }
      case 'console':
        return await consoleCommand(await machines.get(needName(positionals, command)), io);
      case 'logs': {
        const machine = await machines.get(needName(positionals, command));
        io.out(await machine.consoleLog(positiveInt(options.bytes, '--bytes')));
        return;
      }
      case 'checkpoint':
        return await checkpointCommand(machines, positionals, options, io);
      case 'checkpoints': {
        const machine = await machines.get(needName(positionals, command));
        const [tree, sizes, newest] = await Promise.all([
          machine.checkpoints.list(),
          machine.checkpoints.sizes().catch(() => undefined),
          readNewest(machine),
        ]);
        const here = newest === null ? undefined : `generation ${newest}`;
        if (options.json)
          return json(io, {
            ...tree,
            here: { generation: newest },
            ...(sizes ? { savedMemoryBytes: Object.fromEntries(sizes) } : {}),
          });
        const lines = formatCheckpointTree(tree, { ...(sizes ? { sizes } : {}), ...(here ? { here } : {}) });
        io.out(
          tree.roots.length > 0 ? `${lines.join('\n')}\n` : `machine '${machine.name}' has no checkpoints\n`,
        );
        return;
      }
      case 'generations': {
        const machine = await machines.get(needName(positionals, command));
        const store = await machine.storeGenerations();
        if (options.json) return json(io, store.generations);
        io.out(
          formatGenerations(store)
            .map((line) => `${line}\n`)
            .join(''),
        );
        return;
      }
      case 'rollback': {
        const machine = await machines.get(needName(positionals, command));
        const target = positionals[1];
        if (!target)
          throw new UsageError('rollback needs a target: phantom rollback <name> <checkpoint|gen:N>');
        const generation = /^gen:(\d+)$/.exec(target);
        const autoCheckpoint = options['no-auto-checkpoint'] ? 'skip' : 'take';
        if (generation) {
          const rolled = await withProgress(io, options, (progress) =>
            machine.rollbackToGeneration(Number(generation[1]), { autoCheckpoint }, progress.handle),
          );
          if (options.json) return json(io, rolled);
          const kept = rolled.autoCheckpoint
            ? ` (the state before is kept as '${rolled.autoCheckpoint}')`
            : '';
          io.err(
            rolled.path === 'in-place'
              ? `machine '${machine.name}' rolled back in place to generation ${rolled.mounted}${rolled.mounted === rolled.generation ? '' : ` (generation ${rolled.generation} is damaged: its parent was mounted)`}${kept}\n`
              : `machine '${machine.name}' restarted from generation ${generation[1]} (not in place: ${rolled.restartReason})${kept}\n`,
          );
          return;
        }
        const result = await withProgress(io, options, (progress) =>
          machine.checkpoints.revert(target, { autoCheckpoint }, progress.handle),
        );
        if (options.json) return json(io, result);
        const kept = result.autoCheckpoint ? ` (the state before is kept as '${result.autoCheckpoint}')` : '';
        const stopped = result.state === 'stopped' ? '; it was stopped then and is stopped now' : '';
        io.err(`machine '${machine.name}' reverted to '${result.revertedTo}'${kept}${stopped}\n`);
        return;
      }
      case 'continue': {
        const machine = await machines.get(needName(positionals, command));
        const generation = /^gen:(\d+)$/.exec(positionals[1] ?? '');
        if (!generation || options.at === undefined)
          throw new UsageError(
            'continue needs a generation and a position: phantom continue <name> gen:N --at I',
          );
        const at = /^\d+$/.test(options.at) ? Number(options.at) : Number.NaN;
        if (!Number.isSafeInteger(at))
          throw new UsageError(`--at ${options.at} is not a whole number of instructions`);
        const autoCheckpoint = options['no-auto-checkpoint'] ? 'skip' : 'take';
        const done = await withProgress(io, options, (progress) =>
          continueFromReplay(machine, Number(generation[1]), at, { autoCheckpoint }, progress.handle),
        );
        if (options.json) return json(io, done);
        const kept = done.autoCheckpoint ? ` (the state before is kept as '${done.autoCheckpoint}')` : '';
        io.err(
          `machine '${machine.name}' continues from generation ${done.generation}, a new branch from generation ${done.parent} (the replay at instruction ${done.position}, ${done.pagesWritten} pages changed)${done.path === 'in-place' ? ', in place' : done.path === 'restart' ? `; it restarted on it (not in place: ${done.restartReason})` : '; it boots it when started'}${kept}\n`,
        );
        return;
      }
      case 'rm':
        await machines.remove(needName(positionals, command), { force: options.force === true });
        return;
      case 'snapshot': {
        const machine = await machines.get(needName(positionals, command));
        const generation = await machine.channel.snapshotNow();
        if (options.json) return json(io, { generation });
        io.err(`machine '${machine.name}' committed generation ${generation}\n`);
        return;
      }
      case 'dap':
        return await dapCommand(machines);
      case 'install':
        return await install(machines, needName(positionals, command), positionals[1], options, io);
      case 'doctor': {
        if (options.accelerator) {
          const choice = await chooseAccelerator({ kernelPath: options.kernel ?? defaultKernelPath() });
          io.out(`${choice.accel}\n`);
          io.err(`${choice.why}\n`);
          return;
        }
        if (options.machine) {
          const firmware = await chooseFirmware();
          io.out(
            machineArguments(firmware)
              .map((a) => `${a}\n`)
              .join(''),
          );
          io.err(`${firmware.why}\n`);
          return;
        }
        const report = await hostReport(options.kernel ? { kernelPath: options.kernel } : {});
        if (options.json) return json(io, report);
        io.out(formatHostReport(report));
        return;
      }
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } finally {
    machines.dispose();
  }
}

/** The inspector parses its own arguments (--at gen:N, refs like @0x…) and picks its exit status. */
async function inspectCommand(args: string[], io: Io): Promise<number> {
  const machines = new Machines();
  try {
    return await inspectMachine(machines, args, io);
  } finally {
    machines.dispose();
  }
}

/** Runs one command; resolves to the exit status. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    if (argv[0] === 'inspect') return await inspectCommand(argv.slice(1), io);
    await run(argv, io);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`phantom: ${err.message}\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (isVmError(err)) {
      io.err(`phantom: ${err.message}\n`);
      return EXIT_FOR_CODE[err.code];
    }
    io.err(`phantom: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.failure;
  }
}
