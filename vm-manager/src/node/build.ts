/**
 * The build pipeline: the kernel (`make` in kernel-src), the program's classes (`phc build`)
 * and its generation-0 store image (`phc image`). Each step hashes its inputs and is skipped
 * when the hash and the output are unchanged; progress comes out as typed events, and gcc's
 * and phc's diagnostics as {file, line, col, message} records for the editor.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildEvent, BuildOptions, BuildResult, BuildStep } from '../common/api.js';
import { machineConfigSchema } from '../common/api.js';
import { parseDiagnostic } from '../common/diagnostics.js';
import { VmError } from '../common/errors.js';
import { stateDir } from './state-dir.js';

/** The repository checkout this package lives in. */
export const SOURCE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface BuildPaths {
  sourceRoot: string;
  /** Where outputs and input hashes go. */
  outDir: string;
}

export function defaultBuildPaths(): BuildPaths {
  return { sourceRoot: SOURCE_ROOT, outDir: join(stateDir(), 'build') };
}

/** The steps' share of the progress bar: the kernel build dominates. */
const STEP_SPAN: Record<BuildStep, [number, number]> = {
  kernel: [0, 60],
  classes: [60, 80],
  image: [80, 100],
};
/** Without a program the kernel is the whole build. */
const KERNEL_ONLY_SPAN: [number, number] = [0, 100];

type Emit = (event: BuildEvent) => void;

async function filesUnder(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path, accept)));
    else if (accept(entry.name)) out.push(path);
  }
  return out;
}

async function hashFiles(files: string[], extra: string[] = []): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file);
    hash.update('\0');
    hash.update(await readFile(file));
    hash.update('\0');
  }
  for (const value of extra) hash.update(`${value}\0`);
  return hash.digest('hex');
}

class Stamps {
  private values: Record<string, string> = {};
  constructor(private readonly file: string) {}

  async load(): Promise<void> {
    try {
      this.values = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, string>;
    } catch {
      this.values = {};
    }
  }

  fresh(key: string, hash: string, output: string): boolean {
    return this.values[key] === hash && existsSync(output);
  }

  async record(key: string, hash: string): Promise<void> {
    this.values[key] = hash;
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(this.values, null, 2));
    await rename(temporary, this.file);
  }
}

/** Runs a tool, streaming its output as log lines and diagnostics; rejects with the failing step. */
function runTool(
  step: BuildStep,
  tool: 'gcc' | 'phc',
  command: string,
  args: string[],
  cwd: string,
  emit: Emit,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const onText = (() => {
      let pending = '';
      return (text: string) => {
        pending += text;
        const parts = pending.split('\n');
        pending = parts.pop()!;
        for (const line of parts) {
          lines.push(line);
          emit({ kind: 'log', step, line });
          const diagnostic = parseDiagnostic(tool, line.replace(/\s+\[[\w-]+\]$/, ''));
          if (diagnostic) emit({ kind: 'diagnostic', step, diagnostic });
        }
      };
    })();
    child.stdout.setEncoding('utf8').on('data', onText);
    child.stderr.setEncoding('utf8').on('data', onText);
    child.on('error', (err) =>
      reject(new VmError('build-failed', `${step}: cannot run ${command}: ${err.message}`, { cause: err })),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new VmError(
            'build-failed',
            `${step} failed (${command} exit ${code}):\n${lines.slice(-20).join('\n')}`,
          ),
        );
    });
  });
}

async function step(
  name: BuildStep,
  emit: Emit,
  work: () => Promise<'built' | 'up-to-date'>,
  [start, end] = STEP_SPAN[name],
): Promise<'built' | 'up-to-date'> {
  emit({ kind: 'step-started', step: name, percent: start });
  try {
    const outcome = await work();
    emit({ kind: 'step-finished', step: name, percent: end, outcome });
    return outcome;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    emit({ kind: 'step-failed', step: name, percent: start, message });
    throw err instanceof VmError ? err : new VmError('build-failed', `${name}: ${message}`, { cause: err });
  }
}

/** Builds what `options` needs, incrementally. */
export async function build(
  options: BuildOptions = {},
  onProgress: Emit = () => undefined,
  paths: BuildPaths = defaultBuildPaths(),
): Promise<BuildResult> {
  const kernelDir = join(paths.sourceRoot, 'kernel-src');
  const langDir = join(paths.sourceRoot, 'lang');
  const kernelPath = join(kernelDir, 'build', 'phantom.elf');
  const phc = join(langDir, 'bin', 'phc.mjs');
  await mkdir(paths.outDir, { recursive: true, mode: 0o755 });
  const stamps = new Stamps(join(paths.outDir, 'stamps.json'));
  await stamps.load();
  const outcomes: ('built' | 'up-to-date')[] = [];

  if (!existsSync(join(kernelDir, 'Makefile')))
    throw new VmError('build-failed', `no kernel sources at ${kernelDir}`);
  outcomes.push(
    await step(
      'kernel',
      onProgress,
      async () => {
        const inputs = [
          join(kernelDir, 'Makefile'),
          ...(await filesUnder(kernelDir, (n) => /\.(c|h|S|ld)$/.test(n))).filter(
            (f) => !relative(kernelDir, f).startsWith('build') && !relative(kernelDir, f).startsWith('tests'),
          ),
          ...(await filesUnder(join(langDir, 'spec'), (n) => n.endsWith('.def'))),
        ];
        const hash = await hashFiles(inputs);
        if (stamps.fresh('kernel', hash, kernelPath)) return 'up-to-date';
        await runTool('kernel', 'gcc', 'make', ['-C', kernelDir, 'kernel'], kernelDir, onProgress);
        await stamps.record('kernel', hash);
        return 'built';
      },
      options.program === undefined ? KERNEL_ONLY_SPAN : STEP_SPAN.kernel,
    ),
  );

  let imagePath: string | undefined;
  if (options.program !== undefined) {
    const program = options.program;
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(program))
      throw new VmError('bad-input', `'${program}' is not a program name (a lang/examples base name)`);
    const source = join(langDir, 'examples', `${program}.ph`);
    if (!existsSync(source)) {
      const known = (await readdir(join(langDir, 'examples')).catch(() => [] as string[]))
        .filter((n) => n.endsWith('.ph'))
        .map((n) => n.slice(0, -3));
      throw new VmError(
        'bad-input',
        `there is no program '${program}' in lang/examples; there are: ${known.join(', ')}`,
      );
    }
    if (!existsSync(phc)) throw new VmError('build-failed', `phc is missing (${phc})`);
    const defaults = machineConfigSchema.parse({});
    const spaceBytes = (options.spaceMiB ?? defaults.spaceMiB) * 1024 * 1024;
    const diskBytes = (options.diskMiB ?? defaults.diskMiB) * 1024 * 1024;
    // The compiler's own build is an input too: a new phc may produce different classes.
    const compiler = await hashFiles(await filesUnder(join(langDir, 'dist'), (n) => n.endsWith('.js')));
    const phx = join(paths.outDir, `${program}.phx`);
    imagePath = join(paths.outDir, `${program}.img`);
    outcomes.push(
      await step('classes', onProgress, async () => {
        const hash = await hashFiles([source], [compiler]);
        if (stamps.fresh(`classes:${program}`, hash, phx)) return 'up-to-date';
        await runTool(
          'classes',
          'phc',
          process.execPath,
          [phc, 'build', source, '-o', phx],
          langDir,
          onProgress,
        );
        await stamps.record(`classes:${program}`, hash);
        return 'built';
      }),
    );
    const image = imagePath;
    outcomes.push(
      await step('image', onProgress, async () => {
        const hash = await hashFiles([phx], [compiler, String(spaceBytes), String(diskBytes)]);
        if (stamps.fresh(`image:${program}`, hash, image)) return 'up-to-date';
        await runTool(
          'image',
          'phc',
          process.execPath,
          [
            phc,
            'image',
            phx,
            '--main',
            `.demo.${program}`,
            '--space-bytes',
            String(spaceBytes),
            '--disk-bytes',
            String(diskBytes),
            '-o',
            image,
          ],
          langDir,
          onProgress,
        );
        await stamps.record(`image:${program}`, hash);
        return 'built';
      }),
    );
  }
  await stat(kernelPath).catch(() => {
    throw new VmError('build-failed', `the kernel build did not produce ${kernelPath}`);
  });
  return { kernelPath, imagePath, upToDate: outcomes.every((o) => o === 'up-to-date') };
}
