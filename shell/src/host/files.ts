/**
 * The files the editor may open and save: Phantom programs under a few named roots (the
 * examples that ship with `lang`, the user's project folder). Every path the renderer sends is
 * checked here: relative, no `..`, and — after symbolic links are resolved — still inside its
 * root. Anything else is refused with a clear error.
 *
 * Only regular files are read or written, and never in a way that can wait: a FIFO named like a
 * program would otherwise hold the open until someone came to its other end, and with it a
 * thread of the pool every file operation of the host shares.
 */
import { constants, lstatSync, readdirSync, realpathSync } from 'node:fs';
import { type FileHandle, mkdir, open, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { ApiError, ErrorCode, type FileEntry, type FileRoot } from '../common/api.js';

/** The Phantom language's source files. */
export const SOURCE_EXTENSION = '.ph';
/** Larger files are not programs anyone edits by hand. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** Listing stops here so a huge project folder cannot stall the host. */
const MAX_LISTED_FILES = 2000;

export type FileRoots = Record<FileRoot, string>;

function refuse(message: string): never {
  throw new ApiError({ code: ErrorCode.InvalidParams, message });
}

function notRegular(entry: FileEntry): never {
  refuse(`${entry.root}/${entry.path} is not a regular file`);
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export class Files {
  constructor(
    /** Where each root is on this host: the debugger names files by path, as its adapter does. */
    readonly roots: FileRoots,
  ) {}

  list(): FileEntry[] {
    const entries: FileEntry[] = [];
    for (const root of Object.keys(this.roots) as FileRoot[]) {
      const base = this.roots[root];
      const walk = (dir: string) => {
        let names: string[];
        try {
          names = readdirSync(dir).sort();
        } catch {
          return;
        }
        for (const name of names) {
          if (entries.length >= MAX_LISTED_FILES || name.startsWith('.') || name === 'node_modules') continue;
          const full = join(dir, name);
          const stats = lstatSync(full);
          if (stats.isDirectory()) walk(full);
          else if (stats.isFile() && name.endsWith(SOURCE_EXTENSION))
            entries.push({ root, path: relative(base, full).split(sep).join('/') });
        }
      };
      walk(base);
    }
    return entries;
  }

  async read(entry: FileEntry): Promise<string> {
    const file = this.resolve(entry);
    let handle: FileHandle;
    try {
      // O_NONBLOCK: a FIFO opens at once instead of waiting for a writer, and is refused below.
      handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ApiError({
        code: ErrorCode.Failed,
        message:
          code === 'ENOENT'
            ? `${entry.root}/${entry.path} does not exist`
            : `${entry.root}/${entry.path} cannot be opened (${code})`,
      });
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) notRegular(entry);
      if (stats.size > MAX_FILE_BYTES) refuse(`${entry.path} is larger than ${MAX_FILE_BYTES} bytes`);
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  }

  async write(entry: FileEntry, text: string): Promise<void> {
    await mkdir(this.roots[entry.root], { recursive: true });
    const file = this.resolve(entry);
    await mkdir(dirname(file), { recursive: true });
    // The folders just made are checked again: a symbolic link planted inside the root must
    // not carry the write outside it.
    if (!inside(await realpath(this.roots[entry.root]), await realpath(dirname(file))))
      refuse(`${entry.path} leads outside ${entry.root}`);
    let handle: FileHandle;
    try {
      // O_NONBLOCK: a FIFO with no reader fails at once (ENXIO) instead of waiting for one. No
      // O_TRUNC: nothing is truncated before it is known to be a regular file.
      handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK, 0o666);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENXIO') notRegular(entry);
      throw err;
    }
    try {
      if (!(await handle.stat()).isFile()) notRegular(entry);
      await handle.truncate(0);
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
  }

  /** The absolute path of a checked entry; refuses anything that could leave its root. */
  private resolve({ root, path }: FileEntry): string {
    const base = this.roots[root];
    if (base === undefined) refuse(`unknown root '${root}'`);
    if (path.includes('\0') || path.includes('\\')) refuse(`bad characters in path '${path}'`);
    if (isAbsolute(path)) refuse(`path '${path}' must be relative to ${root}`);
    const parts = path.split('/');
    if (parts.some((part) => part === '..' || part === '.' || part === ''))
      refuse(`path '${path}' must not contain '.', '..' or empty parts`);
    if (!path.endsWith(SOURCE_EXTENSION)) refuse(`only ${SOURCE_EXTENSION} files open here, not '${path}'`);
    let realBase: string;
    try {
      realBase = realpathSync(base);
    } catch {
      throw new ApiError({ code: ErrorCode.Failed, message: `the ${root} folder ${base} does not exist` });
    }
    const file = join(realBase, ...parts);
    // Follow links as far as the path exists, and check where they lead.
    let existing = file;
    while (!safeExists(existing)) existing = dirname(existing);
    if (!inside(realBase, realpathSync(existing))) refuse(`${path} leads outside ${root}`);
    return file;
  }
}

function safeExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
