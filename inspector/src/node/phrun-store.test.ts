// Real store disks with many generations, made the fastest honest way: a program compiled by
// `phc image`, then run on the kernel's own VM in the hosted build (kernel-src's phrun) on the
// virtual clock, committing a generation every few milliseconds of machine time with the
// kernel's store code (core/store.c, retention included; `keep` raises its cap, up to the 16,384
// generations an index of several leaves lists). Shared by the "when did this change?"
// tests and bench (inspector/bench/when.mjs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '../../..');

export interface PhrunStore {
  readonly path: string;
  /** phrun's console output (what the program printed). */
  readonly console: string;
  dispose(): void;
}

export interface PhrunStoreOptions {
  source: string;
  mainClass: string;
  /** Machine time to run, ms (virtual clock). */
  maxMs: number;
  /** A generation every this many ms of machine time. */
  snapshotMs: number;
  spaceBytes?: number;
  diskBytes?: number;
  /** Keep every generation, up to this many (phrun --keep); else the kernel's retention (255). */
  keep?: number;
}

/** Compiles `source` into a store, runs it under phrun with snapshots, and returns the store. */
export function phrunStore(options: PhrunStoreOptions): PhrunStore {
  execFileSync('make', ['-s', '-C', join(repo, 'kernel-src'), 'build/hosted/phrun'], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'phantom-phrun-store-'));
  try {
    const source = join(dir, 'program.ph');
    const path = join(dir, 'store.img');
    writeFileSync(source, options.source);
    execFileSync(process.execPath, [
      join(repo, 'lang/bin/phc.mjs'),
      'image',
      source,
      '--main',
      options.mainClass,
      '--space-bytes',
      String(options.spaceBytes ?? 1 << 20),
      '--disk-bytes',
      String(options.diskBytes ?? 64 << 20),
      '-o',
      path,
    ]);
    const console = execFileSync(
      join(repo, 'kernel-src/build/hosted/phrun'),
      [
        '--virtual-clock',
        '--snapshot',
        String(options.snapshotMs),
        '--max-ms',
        String(options.maxMs),
        ...(options.keep ? ['--keep', String(options.keep)] : []),
        path,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 },
    );
    return { path, console, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A tally whose `count` the main thread adds one to every millisecond, and which a second thread
 * resets at machine time `resetAtMs` (count to 0, `resets` to 1, and the root directory's entry
 * "reset" names it): the known change point.
 */
export function resetterSource(resetAtMs: number): string {
  return `package .demo;

import .internal.directory;
import .internal.io.tty;
import .internal.thread;
import .internal.time;

class tally {
  var count : int;
  var resets : int;
};

class resetter {
  var tally : tally;

  resetter(var tally : tally) {
    this.tally = tally;
  }

  void run() {
    time.sleep(${resetAtMs});
    tally.count = 0;
    tally.resets = tally.resets + 1;
    directory.root().put("reset", tally);
    tty.println("reset at " + time.uptime());
  }
};

class main {
  var tally : tally;

  void run() {
    tally = new tally();
    thread.start(new resetter(tally));
    while (true) {
      tally.count++;
      time.sleep(1);
    }
  }
};
`;
}

/**
 * Boxes numbered 1, 2, 3, … made a thousand at a time every millisecond, the newest kept in
 * main.current: the space fills, a collection frees all but the newest, and the next boxes are
 * carved from the same addresses again — addresses reused by objects of the same class.
 */
export const BOXES_SOURCE = `package .demo;

import .internal.time;

class box {
  var id : int;

  box(var id : int) {
    this.id = id;
  }
};

class main {
  var current : box;

  void run() {
    var n = 0;
    while (true) {
      for (var i = 0; i < 1000; i++) {
        n++;
        current = new box(n);
      }
      time.sleep(1);
    }
  }
};
`;
