/**
 * libvirt's system daemon runs QEMU as a user of its own (libvirt-qemu on Debian), which must
 * reach a machine's disk and kernel through every folder above them. Machines live in the
 * user's home by default (`~/.local/state/phantom`), and homes are often 0700 (Debian's adduser
 * makes them so, root's is), so that QEMU cannot even see the disk: libvirt then says
 * "Cannot access storage file … (as uid:64055, gid:64055): Permission denied".
 *
 * As virt-manager does in this case, we grant that user search permission (x, not read) on each
 * folder that lacks it, with a POSIX ACL entry, and say so. Only the folders in the way are
 * touched, and only to let QEMU pass through them.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { VmError } from '../common/errors.js';

const execFileAsync = promisify(execFile);

/** The user and groups a hypervisor process runs as. */
export interface ProcessUser {
  uid: number;
  gid: number;
  /** Supplementary groups too: a folder's group may let it through. */
  groups: number[];
}

/** The user libvirt runs a domain of `type` as: its capabilities' DAC base label ("+64055:+64055"). */
export function dacBaseLabel(
  capabilitiesXml: string,
  type: 'kvm' | 'qemu',
): { uid: number; gid: number } | undefined {
  const dac = /<secmodel>\s*<model>dac<\/model>[\s\S]*?<\/secmodel>/.exec(capabilitiesXml)?.[0];
  if (!dac) return undefined;
  const label = new RegExp(`<baselabel type='${type}'>\\+?(\\d+):\\+?(\\d+)</baselabel>`).exec(dac);
  return label ? { uid: Number(label[1]), gid: Number(label[2]) } : undefined;
}

/** One ACL entry as getfacl prints it with numeric ids: `user:64055:--x`, `mask::r-x`. */
interface AclEntry {
  tag: 'user' | 'group' | 'mask' | 'other';
  id: number | undefined;
  execute: boolean;
}

export function parseAcl(text: string): AclEntry[] {
  const entries: AclEntry[] = [];
  for (const line of text.split('\n')) {
    const match = /^(user|group|mask|other):(\d*):([r-][w-][x-])/.exec(line.trim());
    if (!match) continue;
    entries.push({
      tag: match[1] as AclEntry['tag'],
      id: match[2] ? Number(match[2]) : undefined,
      execute: match[3]![2] === 'x',
    });
  }
  return entries;
}

/**
 * Whether `user` may search a folder with owner `owner`, group `group` and these ACL entries (a
 * plain mode's entries when it has no ACL), by POSIX.1e's access check.
 */
export function maySearch(entries: AclEntry[], owner: number, group: number, user: ProcessUser): boolean {
  const find = (tag: AclEntry['tag'], id?: number) => entries.find((e) => e.tag === tag && e.id === id);
  const mask = find('mask');
  const masked = (e: AclEntry) => e.execute && (mask?.execute ?? true);
  if (user.uid === owner) return find('user')?.execute ?? false;
  const named = find('user', user.uid);
  if (named) return masked(named);
  const groups = new Set([user.gid, ...user.groups]);
  const groupEntries = entries.filter(
    (e) => e.tag === 'group' && (e.id === undefined ? groups.has(group) : groups.has(e.id)),
  );
  if (groupEntries.length > 0) return groupEntries.some(masked);
  return find('other')?.execute ?? false;
}

/** A folder's entries: getfacl's where it answers, else its mode bits as the three base entries. */
async function folderEntries(folder: string, mode: number): Promise<AclEntry[]> {
  try {
    const { stdout } = await execFileAsync('getfacl', ['--omit-header', '--numeric', '--', folder]);
    return parseAcl(stdout);
  } catch {
    return [
      { tag: 'user', id: undefined, execute: (mode & 0o100) !== 0 },
      { tag: 'group', id: undefined, execute: (mode & 0o010) !== 0 },
      { tag: 'other', id: undefined, execute: (mode & 0o001) !== 0 },
    ];
  }
}

/** The folders above `paths` (nearest last, each once) that `user` cannot pass through. */
export async function foldersInTheWay(paths: string[], user: ProcessUser): Promise<string[]> {
  const folders = new Set<string>();
  for (const path of paths) {
    const chain: string[] = [];
    for (let folder = dirname(path); ; folder = dirname(folder)) {
      chain.unshift(folder);
      if (folder === dirname(folder)) break;
    }
    for (const folder of chain) folders.add(folder);
  }
  const blocked: string[] = [];
  for (const folder of folders) {
    const info = await stat(folder).catch(() => undefined);
    if (!info) continue;
    if (!maySearch(await folderEntries(folder, info.mode), info.uid, info.gid, user)) blocked.push(folder);
  }
  return blocked;
}

/** The groups `uid` belongs to, as `id -G` says; only its primary group when that fails. */
export async function groupsOf(uid: number, gid: number): Promise<number[]> {
  try {
    const { stdout } = await execFileAsync('id', ['-G', String(uid)]);
    return stdout.trim().split(/\s+/).map(Number).filter(Number.isInteger);
  } catch {
    return [gid];
  }
}

/**
 * Lets `user` search every folder above `paths`, by an ACL entry on those that stop it; resolves
 * to a sentence saying what was done, or undefined when nothing was in the way.
 */
export async function grantSearch(
  paths: string[],
  user: ProcessUser,
  who: string,
): Promise<string | undefined> {
  const blocked = await foldersInTheWay(paths, user);
  if (blocked.length === 0) return undefined;
  for (const folder of blocked) {
    try {
      await execFileAsync('setfacl', ['-m', `u:${user.uid}:x`, '--', folder]);
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      const why =
        e.code === 'ENOENT' ? 'setfacl is not installed (Debian: acl)' : (e.stderr || e.message).trim();
      throw new VmError(
        'disk-problem',
        `${who} (uid ${user.uid}) cannot reach ${paths[0]}: the folder ${folder} does not let it through, and granting it search permission failed (${why}). Run as the folder's owner: setfacl -m u:${user.uid}:x ${folder} (or chmod o+x ${folder}), or keep machines elsewhere with PHANTOM_STATE_DIR`,
      );
    }
  }
  return `gave ${who} (uid ${user.uid}) search permission on ${blocked.join(', ')} with an ACL entry, as virt-manager does, so that it can reach the machine's disk and kernel`;
}
