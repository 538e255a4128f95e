/**
 * The files the editor may open and save: Phantom programs under a few named roots (the
 * examples that ship with `lang`, the user's project folder). Every path the renderer sends is
 * checked here: relative, no `..`, and — after symbolic links are resolved — still inside its
 * root. Anything else is refused with a clear error.
 */
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

export class Files {
  constructor(private readonly roots: FileRoots) {}

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

  read(entry: FileEntry): string {
    const file = this.resolve(entry);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new ApiError({ code: ErrorCode.Failed, message: `${entry.root}/${entry.path} does not exist` });
    }
    if (size > MAX_FILE_BYTES) refuse(`${entry.path} is larger than ${MAX_FILE_BYTES} bytes`);
    return readFileSync(file, 'utf8');
  }

  write(entry: FileEntry, text: string): void {
    mkdirSync(this.roots[entry.root], { recursive: true });
    const file = this.resolve(entry);
    mkdirSync(dirname(file), { recursive: true });
    // The folders just made are checked again: a symbolic link planted inside the root must
    // not carry the write outside it.
    if (!inside(realpathSync(this.roots[entry.root]), realpathSync(dirname(file))))
      refuse(`${entry.path} leads outside ${entry.root}`);
    writeFileSync(file, text);
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
