/**
 * phc, the command line of the Phantom compiler:
 *
 *   phc check <files…>                      diagnostics only
 *   phc build <files…> -o out.phx            compile to a .phx file (docs/language.md)
 *   phc image <files…|prog.phx> --main C … -o out.img [--space-bytes N] [--disk-bytes N]
 *                                            build a generation-0 store image (image-file.ts)
 *   phc disasm <files…|prog.phx> [--class C]  print the bytecode
 *   phc lsp --stdio                          the language server, for editors (lsp/server.ts)
 *
 * Diagnostics print as `file:line:col: error: message [code]`. Exit codes: 0 success,
 * 1 diagnostics (or a failed build step), 2 usage errors (bad arguments, unreadable files).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CompiledProgram } from '../common/compiled.js';
import { compile, entryProblems, type SourceInput } from '../common/compiler.js';
import { programFromPhx, programToPhx } from '../common/compiler-phx.js';
import { formatDiagnostic } from '../common/diagnostics.js';
import { disassemble } from '../common/disasm.js';
import { readSource } from './read-source.js';

export const EXIT_OK = 0;
export const EXIT_DIAGNOSTICS = 1;
export const EXIT_USAGE = 2;

const USAGE = `usage:
  phc check <files.ph…>
  phc build <files.ph…> -o <out.phx>
  phc image <files.ph…|program.phx> --main <.pkg.Class> [--main …] -o <out.img> [--space-bytes N] [--disk-bytes N]
  phc disasm <files.ph…|program.phx> [--class <.pkg.Class>]
  phc lsp --stdio`;

/** Where `phc image` finds the image builder (lang-runtime's src/node/image-file.ts). */
const IMAGE_MODULE = './image-file.js';

interface ImageFileModule {
  buildImageFile(
    program: CompiledProgram,
    opts: { spaceBytes?: number; diskBytes?: number; mainClasses: string[] },
    outPath: string,
  ): Promise<void>;
}

/** phc's options, for `node:util` parseArgs; `--main` and `--class` may be given more than once. */
const OPTIONS = {
  output: { type: 'string', short: 'o' },
  main: { type: 'string', multiple: true },
  'space-bytes': { type: 'string' },
  'disk-bytes': { type: 'string' },
  class: { type: 'string', multiple: true },
} as const;

interface Args {
  readonly files: string[];
  readonly options: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
}

/** The sources and options, or what is wrong with them (parseArgs' own message). */
function parseCommandLine(argv: readonly string[]): Args | string {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    return { files: positionals, options: values };
  } catch (e) {
    return (e as Error).message;
  }
}

class UsageError extends Error {}

async function loadSources(files: readonly string[]): Promise<SourceInput[]> {
  return Promise.all(
    files.map(async (file) => {
      try {
        return { file, text: await readSource(file) };
      } catch (e) {
        throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
      }
    }),
  );
}

/** Compiles the sources (or reads one .phx); prints diagnostics; null when there were errors. */
async function programOf(
  files: readonly string[],
  err: (s: string) => void,
): Promise<CompiledProgram | null> {
  if (files.length === 1 && files[0]!.endsWith('.phx')) {
    let text: string;
    try {
      text = await readFile(files[0]!, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${files[0]}: ${(e as Error).message}`);
    }
    const program = programFromPhx(text);
    if (typeof program === 'string') {
      err(`${files[0]}: error: ${program}`);
      return null;
    }
    return program;
  }
  const bad = files.find((f) => !f.endsWith('.ph'));
  if (bad !== undefined) throw new UsageError(`${bad}: sources end in .ph (or pass one .phx)`);
  const result = compile(await loadSources(files));
  for (const d of result.diagnostics) err(formatDiagnostic(d));
  return result.program;
}

function intOption(args: Args, name: 'space-bytes' | 'disk-bytes'): number | undefined {
  const v = args.options[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new UsageError(`--${name} takes a positive integer, not ${v}`);
  return n;
}

export async function main(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
  err: (s: string) => void = (s) => process.stderr.write(`${s}\n`),
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'lsp') {
    if (rest.length !== 1 || rest[0] !== '--stdio') {
      err(`phc: lsp speaks over standard input and output: phc lsp --stdio\n${USAGE}`);
      return EXIT_USAGE;
    }
    // Loaded only here: the other commands need none of the server's dependencies.
    const { serveStdio } = await import('./lsp/stdio.js');
    return serveStdio(process.stdin, process.stdout);
  }
  const args = parseCommandLine(rest);
  if (typeof args === 'string' || command === undefined || args.files.length === 0) {
    err(typeof args === 'string' ? `phc: ${args}\n${USAGE}` : USAGE);
    return EXIT_USAGE;
  }
  try {
    switch (command) {
      case 'check': {
        const result = compile(await loadSources(args.files));
        for (const d of result.diagnostics) err(formatDiagnostic(d));
        return result.program === null ? EXIT_DIAGNOSTICS : EXIT_OK;
      }
      case 'build': {
        const output = args.options.output;
        if (output === undefined) throw new UsageError('build needs -o <out.phx>');
        const program = await programOf(args.files, err);
        if (program === null) return EXIT_DIAGNOSTICS;
        try {
          await writeFile(output, programToPhx(program));
        } catch (e) {
          throw new UsageError(`cannot write ${output}: ${(e as Error).message}`);
        }
        return EXIT_OK;
      }
      case 'image':
        return await image(args, err);
      case 'disasm': {
        const program = await programOf(args.files, err);
        if (program === null) return EXIT_DIAGNOSTICS;
        const only = args.options.class;
        for (const cls of program.classes) {
          if (only ? !only.includes(cls.name) : cls.internalId !== 0) continue;
          out(`class ${cls.name} extends ${cls.superName ?? '-'}  fields [${cls.fieldNames.join(', ')}]`);
          for (const m of cls.methods) {
            out(
              `  ${m.name}${m.signature}  argc ${m.argc} locals ${m.locals} maxStack ${m.maxStack} vindex ${m.vindex}${m.native ? ` native ${m.native}` : ''}`,
            );
            if (m.code.length > 0) out(disassemble(m).replace(/^/gm, '    '));
            for (const h of m.handlers)
              out(
                `    handler [${h.start}, ${h.end}) -> ${h.handler} catches ${h.classConst < 0 ? 'any' : JSON.stringify(m.consts[h.classConst])}`,
              );
          }
        }
        return EXIT_OK;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`phc: ${e.message}\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

async function image(args: Args, err: (s: string) => void): Promise<number> {
  const output = args.options.output;
  const mainClasses = args.options.main ?? [];
  if (output === undefined || mainClasses.length === 0)
    throw new UsageError('image needs --main <class> and -o <out.img>');
  const spaceBytes = intOption(args, 'space-bytes');
  const diskBytes = intOption(args, 'disk-bytes');
  let builder: ImageFileModule;
  try {
    builder = (await import(IMAGE_MODULE)) as ImageFileModule;
  } catch {
    err('phc: image: the image builder (src/node/image-file.ts) is not in this build');
    return EXIT_USAGE;
  }
  const program = await programOf(args.files, err);
  if (program === null) return EXIT_DIAGNOSTICS;
  const problems = mainClasses.flatMap((c) => entryProblems(program, c));
  for (const p of problems) err(`phc: image: error: ${p}`);
  if (problems.length > 0) return EXIT_DIAGNOSTICS;
  try {
    await builder.buildImageFile(program, { spaceBytes, diskBytes, mainClasses }, output);
  } catch (e) {
    err(`phc: image: error: ${(e as Error).message}`);
    return EXIT_DIAGNOSTICS;
  }
  return EXIT_OK;
}
