/**
 * Image definitions: the files in the repository's `images/` folder (images/README.md), one per
 * boot image, saying which programs it is compiled from, which classes its first threads run,
 * the size of its object space and store disk, how often the kernel snapshots it and what else
 * goes on the kernel's command line. This module is their schema (zod) and the parser that turns
 * a file's text into a checked `ImageDefinition` or a `bad-input` VmError naming every problem;
 * no Node or DOM, so the studio's renderer could use it too. Reading the folder is
 * `../node/images.ts`; building an image from a definition is `../node/build.ts`.
 */
import { SPACE_SIZE_MAX, SPACE_SIZE_MIN } from '@phantom/lang/common/spec/generated.js';
import { z } from 'zod';
import { VmError } from './errors.js';

/** The folder, in a checkout and in a package's resources alike, that holds the definitions. */
export const IMAGES_FOLDER = 'images';
/** A definition is `<name>.json`; a built image carried beside it (a package's) is `<name>.img`. */
export const DEFINITION_EXTENSION = '.json';
export const BUILT_IMAGE_EXTENSION = '.img';

/** A definition is a few hundred bytes; anything much larger is not one. */
export const MAX_DEFINITION_BYTES = 64 * 1024;

/** Image names name a file, a CLI argument and the studio's menu entry. */
export const MAX_IMAGE_NAME_LENGTH = 40;
const IMAGE_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Why `name` cannot name an image, or undefined when it can. */
export function imageNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'an image name cannot be empty';
  if (name.length > MAX_IMAGE_NAME_LENGTH)
    return `an image name is at most ${MAX_IMAGE_NAME_LENGTH} characters`;
  if (!IMAGE_NAME.test(name))
    return `'${name}' is not an image name: use lower-case letters, digits, '-' and '_', starting with a letter or digit`;
  return undefined;
}

export const imageNameSchema = z
  .string()
  .max(MAX_IMAGE_NAME_LENGTH)
  .superRefine((name, ctx) => {
    const problem = imageNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const MIB = 1024 * 1024;

/** The kernel's object space, in MiB (lang/spec: SPACE_SIZE_MIN … SPACE_SIZE_MAX). */
export const spaceMiBSchema = z
  .number()
  .int()
  .min(SPACE_SIZE_MIN / MIB)
  .max(SPACE_SIZE_MAX / MIB);
/** The store disk, in MiB; `phc image` refuses one too small for the space's generations. */
export const diskMiBSchema = z.number().int().min(1).max(65_536);
/** The kernel's interval between generations (its `snap=` option); 10 ms keeps a machine usable. */
export const snapshotIntervalMsSchema = z.number().int().min(10).max(3_600_000);
/**
 * A machine's interval when its image or its creator names none (api.ts and image definitions
 * alike): the kernel's own default (CMDLINE_SNAP_DEFAULT_MS in kernel-src/core/cmdline.h), 100
 * generations a second, so a power cut loses at most 10 ms of work and what was being written.
 */
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 10;

/** Options the studio itself puts on the kernel's command line, each with the field that sets it. */
const OPTIONS_SET_ELSEWHERE: Readonly<Record<string, string>> = {
  store: 'the studio names the store disk',
  snap: 'set snapshotIntervalMs instead',
  gen: 'a rollback chooses the generation',
};
/** The kernel keeps its `debug=` list in 96 bytes; the whole line stays short. */
export const MAX_KERNEL_COMMAND_LINE = 200;
const KERNEL_OPTION = /^([a-z][a-z0-9_-]*)=([!#-&(-~]+)$/;

/**
 * Extra `key=value` options for the kernel (kernel-src/README.md, "Command line"), separated by
 * single spaces: printable ASCII without quotes, and none of the options the studio sets.
 */
export const kernelCommandLineSchema = z
  .string()
  .max(MAX_KERNEL_COMMAND_LINE)
  .superRefine((line, ctx) => {
    if (line === '') return;
    for (const word of line.split(' ')) {
      const option = KERNEL_OPTION.exec(word);
      if (!option) {
        ctx.addIssue({
          code: 'custom',
          message: `${JSON.stringify(word)} is not a key=value option (printable, no quotes, one space between options)`,
        });
        continue;
      }
      const why = OPTIONS_SET_ELSEWHERE[option[1]!];
      if (why) ctx.addIssue({ code: 'custom', message: `${option[1]}= is not for an image: ${why}` });
    }
  });

/** A program source, relative to the definition's folder: `../lang/examples/counter.ph`. */
const programPath = z
  .string()
  .min(4)
  .max(255)
  .refine((path) => path.endsWith('.ph'), 'a program is a .ph source file')
  .refine((path) => !path.startsWith('/'), 'a program path is relative to the images folder')
  // Control characters and backslashes have no place in a path written by hand; they only hide things.
  .refine(
    (path) => !/[\u0000-\u001f\u007f\\]/.test(path),
    'a program path has no control characters or backslashes',
  );

/** A class as the compiler names it: `.demo.counter`. */
const className = z
  .string()
  .max(128)
  .regex(/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/, 'a class name is its package and name, like .demo.counter');

/** Whether no item is there twice. */
const unique = (items: readonly string[]) => items.length === new Set(items).size;

/** The file's contents, as written by hand: every field checked, nothing unknown accepted. */
export const imageDefinitionSchema = z
  .object({
    /** One line for the studio's menu and `phantom images`. */
    description: z
      .string()
      .min(1)
      .max(200)
      .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), 'a description is one line of text'),
    programs: z.array(programPath).min(1).max(64).refine(unique, 'programs are named once each'),
    /** The classes whose `new C().run()` the image's first threads do, in order. */
    mainClasses: z.array(className).min(1).max(16).refine(unique, 'main classes are named once each'),
    spaceMiB: spaceMiBSchema.default(16),
    diskMiB: diskMiBSchema.default(64),
    snapshotIntervalMs: snapshotIntervalMsSchema.default(DEFAULT_SNAPSHOT_INTERVAL_MS),
    kernelCommandLine: kernelCommandLineSchema.default(''),
  })
  .strict();

export type ImageDefinitionFile = z.infer<typeof imageDefinitionSchema>;

/** A checked definition, named by its file. */
export interface ImageDefinition extends ImageDefinitionFile {
  name: string;
}

/** What `images.list` and `phantom images` show of a definition (or of a file that is not one). */
export interface ImageSummary {
  name: string;
  description: string;
  /** The programs' base names: `counter`. */
  programs: string[];
  /** Why the file is not a usable definition; the image cannot be built while this is set. */
  problem?: string;
}

/** `path[0].field` from a zod issue's path. */
function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/**
 * Parses definition `name` from its file's text (`file` names it in messages). Throws a
 * `bad-input` VmError that lists every problem: the name, the JSON, each field.
 */
export function parseImageDefinition(
  name: string,
  text: string,
  file = `${name}${DEFINITION_EXTENSION}`,
): ImageDefinition {
  const nameProblem = imageNameProblem(name);
  if (nameProblem) throw new VmError('bad-input', `${file}: ${nameProblem}`);
  if (text.length > MAX_DEFINITION_BYTES)
    throw new VmError(
      'bad-input',
      `${file}: ${text.length} characters is too long for an image definition (at most ${MAX_DEFINITION_BYTES})`,
    );
  let json: unknown;
  try {
    // An editor may save a byte-order mark; JSON.parse would refuse it.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new VmError('bad-input', `${file}: not JSON: ${(err as Error).message}`);
  }
  const parsed = imageDefinitionSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issuePath(issue.path);
      return where ? `${where}: ${issue.message}` : issue.message;
    });
    throw new VmError('bad-input', `${file} is not a valid image definition:\n  ${problems.join('\n  ')}`);
  }
  return { name, ...parsed.data };
}

/** What a machine made from `definition` records of it in its config (vm-manager's machine config). */
export function imageMachineConfig(definition: ImageDefinition) {
  return {
    image: definition.name,
    spaceMiB: definition.spaceMiB,
    diskMiB: definition.diskMiB,
    snapshotIntervalMs: definition.snapshotIntervalMs,
    kernelCommandLine: definition.kernelCommandLine,
  };
}

/** The summary of a checked definition. */
export function imageSummary(definition: ImageDefinition): ImageSummary {
  return {
    name: definition.name,
    description: definition.description,
    programs: definition.programs.map((path) => (path.split('/').pop() ?? path).replace(/\.ph$/, '')),
  };
}
