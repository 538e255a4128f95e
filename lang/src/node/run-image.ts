/**
 * The reference interpreter over a store file, for humans and for the kernel's differential
 * tests: mounts the newest valid generation (or the newest at or below --gen), runs it on the
 * virtual clock, and writes exactly the machine's console bytes to stdout.
 *
 *   node lang/dist/node/run-image.js <store file> [--max-ms N] [--max-steps N] [--gen N]
 *                                    [--dump-space FILE] [--stats]
 *
 * Without limits it runs until every thread has ended. --dump-space writes the space as it is when
 * the run stops (a raw dump, as phrun's --dump-space). --stats prints why it stopped, the steps
 * and the machine time to stderr. Exit codes: 0 stopped cleanly, 1 the store or image is bad,
 * 2 usage.
 */
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Machine, MachineFault, type RunLimits } from '../common/interp/machine.js';
import { StoreError } from '../common/store/blocks.js';
import { writeSpaceDump } from './space-file.js';
import { openStoreFile } from './store-file.js';

const USAGE =
  'usage: run-image <store file> [--max-ms N] [--max-steps N] [--gen N] [--dump-space FILE] [--stats]';

interface Options {
  file: string;
  dump?: string;
  limits: { maxSteps?: number; maxMachineMs?: number };
  generation?: number;
  stats: boolean;
}

/** The options, for `node:util` parseArgs: the numbers are checked below. */
const OPTIONS = {
  'max-ms': { type: 'string' },
  'max-steps': { type: 'string' },
  gen: { type: 'string' },
  'dump-space': { type: 'string' },
  stats: { type: 'boolean' },
} as const;

function parseCommandLine(args: string[]): Options | string {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    return (err as Error).message;
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) return 'no store file given';
  if (positionals.length > 1) return `unexpected argument ${positionals[1]}`;
  const count = (name: keyof typeof OPTIONS): number | string | undefined => {
    const text = values[name];
    if (typeof text !== 'string') return undefined;
    const value = Number(text);
    return text !== '' && Number.isSafeInteger(value) && value >= 0
      ? value
      : `--${name} needs a non-negative integer, not '${text}'`;
  };
  const maxMachineMs = count('max-ms');
  const maxSteps = count('max-steps');
  const generation = count('gen');
  for (const value of [maxMachineMs, maxSteps, generation]) if (typeof value === 'string') return value;
  const options: Options = { file: positionals[0]!, limits: {}, stats: values.stats === true };
  if (typeof maxMachineMs === 'number') options.limits.maxMachineMs = maxMachineMs;
  if (typeof maxSteps === 'number') options.limits.maxSteps = maxSteps;
  if (typeof generation === 'number') options.generation = generation;
  if (values['dump-space'] !== undefined) options.dump = values['dump-space'];
  return options;
}

/** Thrown out of the run when stdout's reader went away (`run-image … | head`): a normal end. */
class OutputClosed extends Error {}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(fd, bytes, done);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') throw new OutputClosed();
      if (code !== 'EAGAIN') throw err;
    }
  }
}

function main(args: string[]): number {
  const options = parseCommandLine(args);
  if (typeof options === 'string') {
    process.stderr.write(`run-image: ${options}\n${USAGE}\n`);
    return 2;
  }
  try {
    const { store, close } = openStoreFile(options.file);
    let mounted: ReturnType<typeof store.mount>;
    try {
      mounted = store.mount(options.generation);
    } finally {
      close();
    }
    for (const skipped of mounted.skipped) process.stderr.write(`run-image: skipped ${skipped.error}\n`);
    const machine = new Machine(mounted.space, { onOutput: (bytes) => writeAll(1, bytes) });
    const result = machine.run(options.limits as RunLimits);
    if (options.dump !== undefined) writeSpaceDump(options.dump, machine.space.bytes);
    if (options.stats) {
      process.stderr.write(
        `run-image: generation ${mounted.generation}: ${result.reason} after ${result.steps} steps at ${result.machineMs} ms machine time\n`,
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof OutputClosed) return 0;
    if (err instanceof StoreError || err instanceof MachineFault || (err as NodeJS.ErrnoException).code) {
      process.stderr.write(`run-image: ${options.file}: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2));
