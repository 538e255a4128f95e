/**
 * Watches the machines folder for changes made by any process — the CLI beside the studio, a
 * second studio — so that they are seen at once rather than at the next poll: a machine made or
 * removed, and a machine's state or checkpoint records rewritten. It only says which file of
 * which machine changed; `Machines` reads the truth from the files themselves. Where the system
 * refuses a watch (inotify's limits), the folder's listing is polled instead.
 */
import { type FSWatcher, watch } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Disposable } from '@phantom/inspector/common/events.js';
import { machineNameProblem } from '../common/machine-name.js';

/** The files of a machine's folder whose changes are reported. */
export type WatchedFile = 'config' | 'state' | 'checkpoints';

const FILES: Record<string, WatchedFile> = {
  'config.json': 'config',
  'state.json': 'state',
  'checkpoints.json': 'checkpoints',
};

/** Several events arrive for one atomic write; they are reported once, this long after the last. */
const SETTLE_MS = 30;

/** How often the listing is read when the folder cannot be watched. */
export const POLL_MS = 2000;

export interface StateFolderListener {
  /** The set of machines (folders with a config) changed: these names exist now. */
  machines(names: string[]): void;
  /** A watched file of machine `name` was written (by whoever). */
  file(name: string, file: WatchedFile): void;
}

export class StateFolderWatcher implements Disposable {
  private root: FSWatcher | undefined;
  private readonly machineWatchers = new Map<string, FSWatcher>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private poll: NodeJS.Timeout | undefined;
  private known = new Set<string>();
  private disposed = false;
  /** Ready once the folder is watched and its machines listed. */
  readonly ready: Promise<void>;

  constructor(
    private readonly folder: string,
    private readonly listener: StateFolderListener,
  ) {
    this.ready = this.start();
  }

  private async start(): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: 0o755 }).catch(() => undefined);
    if (this.disposed) return;
    try {
      this.root = watch(this.folder, (_event, name) => {
        if (name) this.settle(`folder:${name}`, () => void this.rescan());
      });
      this.root.on('error', () => this.fallBackToPolling());
    } catch {
      this.fallBackToPolling();
    }
    this.known = new Set(await this.machineNames());
    for (const name of this.known) this.watchMachine(name);
  }

  /** The names of the folders holding a machine (one with a config). */
  private async machineNames(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.folder);
    } catch {
      return [];
    }
    const names: string[] = [];
    for (const entry of entries.sort()) {
      if (machineNameProblem(entry) !== undefined) continue;
      if ((await stat(join(this.folder, entry, 'config.json')).catch(() => undefined))?.isFile())
        names.push(entry);
    }
    return names;
  }

  private async rescan(): Promise<void> {
    if (this.disposed) return;
    const names = await this.machineNames();
    const now = new Set(names);
    // A folder just made has no config yet: it is watched now, and its config's arrival reported.
    // A config that came between the listing above and the watch would be missed: a folder
    // watched for the first time is listed once more.
    for (const entry of await readdir(this.folder).catch(() => [] as string[]))
      if (machineNameProblem(entry) === undefined && this.watchMachine(entry) && !now.has(entry))
        this.settle(`folder:${entry}`, () => void this.rescan());
    for (const name of this.machineWatchers.keys())
      if (!now.has(name) && !(await stat(join(this.folder, name)).catch(() => undefined)))
        this.unwatchMachine(name);
    const changed = names.length !== this.known.size || names.some((n) => !this.known.has(n));
    this.known = now;
    if (changed && !this.disposed) this.listener.machines(names);
  }

  /** Watches a machine's folder; true when it was not watched before. */
  private watchMachine(name: string): boolean {
    if (this.machineWatchers.has(name) || this.poll || this.disposed) return false;
    let watcher: FSWatcher;
    try {
      watcher = watch(join(this.folder, name), (_event, file) => {
        const kind = file ? FILES[file] : undefined;
        if (!kind) return;
        if (kind === 'config') this.settle(`folder:${name}`, () => void this.rescan());
        else this.settle(`${name}:${kind}`, () => this.listener.file(name, kind));
      });
    } catch {
      return false;
    }
    // The folder was removed: the next rescan says so.
    watcher.on('error', () => this.unwatchMachine(name));
    this.machineWatchers.set(name, watcher);
    return true;
  }

  private unwatchMachine(name: string): void {
    this.machineWatchers.get(name)?.close();
    this.machineWatchers.delete(name);
  }

  private settle(key: string, action: () => void): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!this.disposed) action();
      }, SETTLE_MS),
    );
  }

  private fallBackToPolling(): void {
    if (this.poll || this.disposed) return;
    this.root?.close();
    this.root = undefined;
    for (const name of [...this.machineWatchers.keys()]) this.unwatchMachine(name);
    this.poll = setInterval(() => void this.rescan(), POLL_MS);
    this.poll.unref();
  }

  dispose(): void {
    this.disposed = true;
    this.root?.close();
    for (const watcher of this.machineWatchers.values()) watcher.close();
    this.machineWatchers.clear();
    for (const timer of this.timers.values()) clearTimeout(timer);
    clearInterval(this.poll);
  }
}
