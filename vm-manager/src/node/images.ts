/**
 * The image definitions in a folder (the checkout's `images/`, or a package's, where each
 * definition has its built image beside it): listing them, reading one by name, and where its
 * programs and built image are. Parsing and the schema are `../common/image-definition.ts`;
 * building is `build.ts`. A file that is not a valid definition is listed with its problem, so
 * one broken file hides none of the others, and naming it is a `bad-input` error that says why.
 */
import { open, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VmError } from '../common/errors.js';
import {
  BUILT_IMAGE_EXTENSION,
  DEFINITION_EXTENSION,
  IMAGES_FOLDER,
  type ImageDefinition,
  type ImageSummary,
  imageNameProblem,
  imageSummary,
  MAX_DEFINITION_BYTES,
  parseImageDefinition,
} from '../common/image-definition.js';

/** The `images/` folder of a checkout, or of a package's resources folder. */
export function imagesDir(root: string): string {
  return join(root, IMAGES_FOLDER);
}

/** Where a package carries the built image of definition `name` (scripts/dist.mjs puts it there). */
export function builtImagePath(dir: string, name: string): string {
  return join(dir, `${name}${BUILT_IMAGE_EXTENSION}`);
}

/** The absolute paths of a definition's programs: they are written relative to its folder. */
export function programSources(dir: string, definition: ImageDefinition): string[] {
  return definition.programs.map((path) => resolve(dir, path));
}

/** The names of the definitions in `dir` (files `<name>.json`), sorted; none when it does not exist. */
async function definitionNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw new VmError('bad-input', `cannot read the image definitions in ${dir}: ${err.message}`, {
      cause: err,
    });
  });
  return entries
    .filter((entry) => entry.endsWith(DEFINITION_EXTENSION))
    .map((entry) => entry.slice(0, -DEFINITION_EXTENSION.length))
    .sort();
}

/** A definition file's text: a regular file of at most MAX_DEFINITION_BYTES, or a `bad-input` error. */
async function definitionText(file: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new VmError('bad-input', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new VmError('bad-input', `${file} is not a file`);
    if (stats.size > MAX_DEFINITION_BYTES)
      throw new VmError(
        'bad-input',
        `${file}: ${stats.size} bytes is too large for an image definition (at most ${MAX_DEFINITION_BYTES})`,
      );
    return await handle.readFile('utf8');
  } catch (err) {
    if (err instanceof VmError) throw err;
    throw new VmError('bad-input', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  } finally {
    await handle.close();
  }
}

/**
 * Definition `name` from `dir`, checked. `bad-input` when the name is not an image name, there is
 * no such definition (the message lists those there are) or the file is not a valid definition.
 */
export async function readImage(dir: string, name: string): Promise<ImageDefinition> {
  const problem = imageNameProblem(name);
  if (problem) throw new VmError('bad-input', problem);
  const known = await definitionNames(dir);
  if (!known.includes(name))
    throw new VmError(
      'bad-input',
      `there is no image '${name}' in ${dir}; there are: ${known.join(', ') || 'none'} (an image is a file NAME${DEFINITION_EXTENSION} there)`,
    );
  const file = join(dir, `${name}${DEFINITION_EXTENSION}`);
  return parseImageDefinition(name, await definitionText(file), file);
}

/** Every definition in `dir`, sorted by name; a file that is not a valid one carries its problem. */
export async function listImages(dir: string): Promise<ImageSummary[]> {
  const names = await definitionNames(dir);
  return Promise.all(
    names.map(async (name) => {
      try {
        return imageSummary(await readImage(dir, name));
      } catch (err) {
        return { name, description: '', programs: [], problem: (err as Error).message };
      }
    }),
  );
}
