/**
 * The build pipeline: the kernel (`make` in kernel-src), an image's classes (`phc build` of its
 * programs) and its generation-0 store image (`phc image` with its main classes and sizes). The
 * image is an image definition in images/ (images.ts), or, for machines made before images/
 * existed, one lang/examples program. Each step hashes its inputs and is skipped when the hash
 * and the output are unchanged; progress comes out as typed events, and gcc's and phc's
 * diagnostics as {file, line, col, message} records for the editor.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildEvent, BuildOptions, BuildResult, BuildStep } from '../common/api.js';
import { machineConfigSchema } from '../common/api.js';
import { parseDiagnostic } from '../common/diagnostics.js';
import { VmError } from '../common/errors.js';
import type { ImageDefinition } from '../common/image-definition.js';
import { imagesDir, programSources, readImage } from './images.js';
import { writeJsonAtomically } from './machine-dir.js';
import { stateDir } from './state-dir.js';

/** The repository checkout this package lives in. */
export const SOURCE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface BuildPaths {
  sourceRoot: string;
  /** Where outputs and input hashes go. */
  outDir: string;
  /** Where image definitions are read from; the checkout's images/ when not given. */
  imagesDir?: string;
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
    await writeJsonAtomically(this.file, this.values);
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

/** What the classes and image steps make, from an image definition or a lang/examples program. */
interface ImageRecipe {
  /** Names the recipe in the stamps. */
  key: string;
  /** Names it in messages: the definition's file, or the program. */
  what: string;
  sources: string[];
  mainClasses: string[];
  spaceBytes: number;
  diskBytes: number;
  /** The outputs' path without extension (`.phx`, `.img`). */
  output: string;
  definition?: ImageDefinition;
}

const MIB = 1024 * 1024;

async function imageRecipe(options: BuildOptions, paths: BuildPaths): Promise<ImageRecipe | undefined> {
  if (options.image !== undefined && options.program !== undefined)
    throw new VmError('bad-input', 'name an image or a program, not both');
  if (options.image !== undefined) {
    const dir = paths.imagesDir ?? imagesDir(paths.sourceRoot);
    const definition = await readImage(dir, options.image);
    return {
      key: `image/${definition.name}`,
      what: `image ${definition.name} (${join(dir, `${definition.name}.json`)})`,
      sources: programSources(dir, definition),
      mainClasses: definition.mainClasses,
      spaceBytes: definition.spaceMiB * MIB,
      diskBytes: definition.diskMiB * MIB,
      // Apart from programs' outputs: an image may share a program's name and differ from it.
      output: join(paths.outDir, 'images', definition.name),
      definition,
    };
  }
  if (options.program === undefined) return undefined;
  const program = options.program;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(program))
    throw new VmError('bad-input', `'${program}' is not a program name (a lang/examples base name)`);
  const examples = join(paths.sourceRoot, 'lang', 'examples');
  const source = join(examples, `${program}.ph`);
  if (!existsSync(source)) {
    const known = (await readdir(examples).catch(() => [] as string[]))
      .filter((n) => n.endsWith('.ph'))
      .map((n) => n.slice(0, -3));
    throw new VmError(
      'bad-input',
      `there is no program '${program}' in lang/examples; there are: ${known.join(', ')}`,
    );
  }
  const defaults = machineConfigSchema.parse({});
  return {
    key: program,
    what: `program ${program}`,
    sources: [source],
    mainClasses: [`.demo.${program}`],
    spaceBytes: (options.spaceMiB ?? defaults.spaceMiB) * MIB,
    diskBytes: (options.diskMiB ?? defaults.diskMiB) * MIB,
    output: join(paths.outDir, program),
  };
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
      options.image === undefined && options.program === undefined ? KERNEL_ONLY_SPAN : STEP_SPAN.kernel,
    ),
  );

  let imagePath: string | undefined;
  const recipe = await imageRecipe(options, paths);
  if (recipe) {
    if (!existsSync(phc)) throw new VmError('build-failed', `phc is missing (${phc})`);
    for (const source of recipe.sources)
      if (!existsSync(source))
        throw new VmError('bad-input', `${recipe.what}: the program ${source} does not exist`);
    // The compiler's own build is an input too: a new phc may produce different classes.
    const compiler = await hashFiles(await filesUnder(join(langDir, 'dist'), (n) => n.endsWith('.js')));
    await mkdir(dirname(recipe.output), { recursive: true, mode: 0o755 });
    const phx = `${recipe.output}.phx`;
    const image = `${recipe.output}.img`;
    imagePath = image;
    outcomes.push(
      await step('classes', onProgress, async () => {
        const hash = await hashFiles(recipe.sources, [compiler]);
        if (stamps.fresh(`classes:${recipe.key}`, hash, phx)) return 'up-to-date';
        await runTool(
          'classes',
          'phc',
          process.execPath,
          [phc, 'build', ...recipe.sources, '-o', phx],
          langDir,
          onProgress,
        );
        await stamps.record(`classes:${recipe.key}`, hash);
        return 'built';
      }),
    );
    outcomes.push(
      await step('image', onProgress, async () => {
        const sizes = [String(recipe.spaceBytes), String(recipe.diskBytes)];
        const hash = await hashFiles([phx], [compiler, ...sizes, ...recipe.mainClasses]);
        if (stamps.fresh(`image:${recipe.key}`, hash, image)) return 'up-to-date';
        await runTool(
          'image',
          'phc',
          process.execPath,
          [
            phc,
            'image',
            phx,
            ...recipe.mainClasses.flatMap((main) => ['--main', main]),
            '--space-bytes',
            String(recipe.spaceBytes),
            '--disk-bytes',
            String(recipe.diskBytes),
            '-o',
            image,
          ],
          langDir,
          onProgress,
        );
        await stamps.record(`image:${recipe.key}`, hash);
        return 'built';
      }),
    );
  }
  await stat(kernelPath).catch(() => {
    throw new VmError('build-failed', `the kernel build did not produce ${kernelPath}`);
  });
  return {
    kernelPath,
    imagePath,
    ...(recipe?.definition ? { definition: recipe.definition } : {}),
    upToDate: outcomes.every((o) => o === 'up-to-date'),
  };
}
