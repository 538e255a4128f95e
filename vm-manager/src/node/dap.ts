/**
 * `phantom dap`: the debug adapter (inspector's PhantomDebugSession) on stdin/stdout, for editors
 * (the studio's, VS Code, Neovim). This file gives it the machines: attach finds one by name,
 * launch creates (from an image definition) and boots one, and both read the sources the machine
 * was built from so frames show files and lines. Any number of adapters, the studio and the CLI
 * may be at one machine at once: each reaches it through the machine's channel broker, and the
 * console is read from the log QEMU writes, which nobody holds.
 *
 * stdout carries the protocol only: whatever else would print there goes to stderr.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { DapReader, frameDapMessage } from '@phantom/inspector/common/dap-framing.js';
import type { Disposable } from '@phantom/inspector/common/events.js';
import { ReplayTarget } from '@phantom/inspector/common/replay-target.js';
import type { DapHost, DapLaunchArguments, DapMachine } from '@phantom/inspector/node/dap/session.js';
import { PhantomDebugSession } from '@phantom/inspector/node/dap/session.js';
import type { CompiledClass } from '@phantom/lang/common/compiled.js';
import { compile } from '@phantom/lang/common/compiler.js';
import { isVmError, VmError } from '../common/errors.js';
import { consoleAfterGeneration, type GenerationConsole } from '../common/generation-console.js';
import { imageMachineConfig } from '../common/image-definition.js';
import { programClassName } from '../common/install-program.js';
import { build, SOURCE_ROOT } from './build.js';
import { breakpointOwners } from './dap-owners.js';
import { imagesDir, programSources, readImage } from './images.js';
import type { Machine, Machines } from './machines.js';
import { readProgramFile } from './program-file.js';
import { generationSpace } from './replay-branch.js';

/** How often the console log is looked at for new output. */
const CONSOLE_POLL_MS = 200;
/** Most console bytes read in one look, so a flood is sent in pieces. */
const CONSOLE_CHUNK_BYTES = 64 * 1024;

/** Follows a file that only grows (QEMU's console log) from its present end. */
function followLog(path: string, listener: (text: string) => void): Disposable {
  let offset: number | undefined;
  let busy = false;
  let stopped = false;
  const decoder = new TextDecoder();
  const look = async (): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      const size = (await stat(path).catch(() => undefined))?.size ?? 0;
      if (offset === undefined || size < offset) offset = size;
      if (size > offset) {
        const file = await open(path, 'r');
        try {
          const buffer = new Uint8Array(Math.min(CONSOLE_CHUNK_BYTES, size - offset));
          const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
          offset += bytesRead;
          const text = decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
          if (text && !stopped) listener(text);
        } finally {
          await file.close();
        }
      }
    } finally {
      busy = false;
    }
  };
  void look();
  const timer = setInterval(() => void look().catch(() => undefined), CONSOLE_POLL_MS);
  return {
    dispose: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** The sources a machine was built from: its image definition's programs, or its lang/examples program. */
async function machineSourceFiles(machine: Machine): Promise<string[]> {
  const { image, program } = machine.config;
  if (image !== undefined) {
    const dir = imagesDir(SOURCE_ROOT);
    return programSources(dir, await readImage(dir, image));
  }
  if (program !== undefined) return [join(SOURCE_ROOT, 'lang', 'examples', `${program}.ph`)];
  return [];
}

async function compileSources(
  files: readonly string[],
): Promise<{ classes: CompiledClass[]; problems: string[] }> {
  const problems: string[] = [];
  const inputs = [];
  for (const file of files) {
    try {
      inputs.push({ file, text: await readFile(file, 'utf8') });
    } catch (err) {
      problems.push(`cannot read ${file}: ${(err as Error).message}; its frames show no source`);
    }
  }
  if (inputs.length === 0) return { classes: [], problems };
  const { program, diagnostics } = compile(inputs);
  if (!program) {
    const first = diagnostics.find((d) => d.severity === 'error');
    problems.push(
      `the machine's sources do not compile now (${first ? `${first.file}:${first.line}: ${first.message}` : 'errors'}); frames show no source`,
    );
    return { classes: [], problems };
  }
  return { classes: [...program.classes], problems };
}

function dapMachine(machine: Machine, extra: readonly CompiledClass[] = []): DapMachine {
  return {
    name: machine.name,
    use: (action) => machine.channel.use(({ client }) => action(client)),
    state: async () => (await machine.status()).state,
    onConsole: (listener) => followLog(machine.consoleLogPath, listener),
    sources: async () => {
      const problems: string[] = [];
      let files: string[] = [];
      try {
        files = await machineSourceFiles(machine);
      } catch (err) {
        problems.push(
          `cannot tell which sources '${machine.name}' was built from: ${(err as Error).message}`,
        );
      }
      const compiled = await compileSources(files);
      const byName = new Map(compiled.classes.map((c) => [c.name, c]));
      for (const c of extra) byName.set(c.name, c);
      return { classes: [...byName.values()], problems: [...problems, ...compiled.problems] };
    },
    breakpointOwners: breakpointOwners(machine.dapOwnersDir),
    dispose: () => undefined,
  };
}

/** What the machine printed after generation `n`, as far as its console log can place it. */
async function recordedConsole(machine: Machine, n: number): Promise<GenerationConsole> {
  const checkpoint = (await machine.dir.readCheckpoints()).checkpoints.find((c) => c.generation === n);
  const log = await readFile(machine.consoleLogPath, 'utf8').catch(() => '');
  return consoleAfterGeneration(log, n, checkpoint?.consoleTail);
}

/** A replay of kept generation `n` of the machine's store disk, read offline (committed generations never change). */
async function replayMachine(machines: Machines, machine: Machine, n: number): Promise<DapMachine> {
  const space = generationSpace(machine, n, 'disk-problem');
  const recorded = await recordedConsole(machine, n);
  let target: ReplayTarget;
  try {
    target = new ReplayTarget(space, {
      generation: n,
      yieldToHost: () => new Promise((resolve) => setImmediate(resolve)),
      ...('text' in recorded ? { recorded: recorded.text } : {}),
    });
  } catch (err) {
    throw new VmError(
      'disk-problem',
      `cannot replay generation ${n} of '${machine.name}': ${(err as Error).message}`,
    );
  }
  const live = dapMachine(machine);
  return {
    name: machine.name,
    use: (action) => action(target),
    state: async () => 'running',
    onConsole: (listener) => target.onConsole(listener),
    sources: async () => {
      const got = await live.sources();
      return {
        classes: got.classes,
        problems: [...got.problems, ...('problem' in recorded ? [recorded.problem] : [])],
      };
    },
    reverse: target,
    continueMachine: async () => {
      const here = target.stateHere();
      // Looked up again: the machine may have been removed since the replay began.
      const now = await machines.get(machine.name);
      const done = await now.continueFromSpace(here.generation, here.space, {
        autoCheckpoint: 'take',
        what: `a replay of generation ${here.generation} at instruction ${here.position}`,
      });
      return { ...done, position: here.position };
    },
    dispose: () => target.dispose(),
  };
}

async function running(machines: Machines, name: string): Promise<Machine> {
  const machine = await machines.get(name);
  const { state } = await machine.status();
  if (state !== 'running' && state !== 'paused')
    throw new VmError(
      'bad-state',
      `machine '${name}' is ${state}: 'launch' boots it, attach needs it running`,
    );
  return machine;
}

/** The machines' side of the adapter. */
export function machinesDapHost(machines: Machines, onEnded: () => void): DapHost {
  return {
    attach: async (name) => dapMachine(await running(machines, name)),
    launch: async (args: DapLaunchArguments, progress) => {
      let machine: Machine;
      try {
        machine = await machines.get(args.machine);
      } catch (err) {
        if (!isVmError(err, 'no-such-machine')) throw err;
        if (args.image === undefined)
          throw new VmError(
            'bad-input',
            `there is no machine '${args.machine}': give 'image' (an images/ definition, e.g. "counter") to create it`,
          );
        progress(`building the kernel and image '${args.image}'…`);
        const built = await build({ image: args.image });
        machine = await machines.create(args.machine, {
          kernelPath: built.kernelPath,
          ...(built.imagePath ? { imagePath: built.imagePath } : {}),
          ...(built.definition ? imageMachineConfig(built.definition) : {}),
        });
        progress(`created machine '${args.machine}'`);
      }
      const { state } = await machine.status();
      if (state !== 'running' && state !== 'paused') {
        progress(`starting '${args.machine}'…`);
        await machine.start();
      }
      await machine.channel.use(({ client }) => client.threads());
      progress(`'${args.machine}' is running`);
      let extra: CompiledClass[] = [];
      if (args.program !== undefined) {
        const file = resolve(args.program);
        const { classes, errors } = await readProgramFile(file);
        if (errors.length > 0)
          throw new VmError(
            'build-failed',
            `${file} does not compile: ${errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('; ')}`,
          );
        const result = await machine.channel.installClasses(classes, programClassName(file, classes));
        progress(`installed ${result.classes.join(', ')}${result.ran ? `; started ${result.ran}` : ''}`);
        extra = classes;
      }
      return dapMachine(machine, extra);
    },
    replay: async (name, generation) => replayMachine(machines, await machines.get(name), generation),
    stop: async (name) => (await machines.get(name)).stop(),
    ended: onEnded,
  };
}

/** Serves DAP on stdin/stdout until the editor disconnects or closes stdin. */
export async function dapCommand(machines: Machines): Promise<void> {
  // The protocol owns stdout.
  console.log = console.error;
  console.info = console.error;
  let finish: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const session = new PhantomDebugSession(machinesDapHost(machines, () => finish()));
  const toSession = new PassThrough();
  session.start(toSession, process.stdout);
  const reader = new DapReader();
  const onData = (chunk: Buffer): void => {
    for (const input of reader.feed(chunk)) {
      if (input.kind === 'request')
        toSession.write(frameDapMessage({ ...input.request, arguments: input.request.arguments ?? {} }));
      else if (input.kind === 'problem') session.refuse(input.seq, input.command, input.message);
    }
  };
  process.stdin.on('data', onData);
  process.stdin.once('end', () => session.shutdown());
  process.stdin.resume();
  await ended;
  process.stdin.off('data', onData);
  process.stdin.pause();
  // Let the last response reach the editor.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
}
