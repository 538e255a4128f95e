/**
 * A live view that keeps itself fresh at no cost to the guest: each generation the machine
 * commits (EV_GENERATION on the debug channel) is read from its store disk on the host. The view
 * is always a committed generation, so it is consistent, and it is at most one snapshot interval
 * old. Reading a generation through the channel instead (READ_PAGE of the generation) costs the
 * guest most of its throughput at one refresh a second: docs/bench-inspector.md.
 *
 * Not here: an exact "now" on request (live-source.ts, nowHeap), which reads only the pages that
 * differ from the committed generation, at one safe point or with the world paused.
 */
import { StoreError } from '@phantom/lang/common/store/blocks.js';
import type { GenerationInfo } from '../common/debug-protocol.js';
import type { HeapSnapshot } from '../common/heap.js';
import type { Disposable } from './debug-client.js';
import { loadGeneration, openStoreFile } from './store-file.js';

export interface CommittedView {
  generation: number;
  heap: HeapSnapshot;
  /** performance.now() when the kernel's announcement of this generation arrived. */
  announcedAt: number;
}

/** What announces committed generations: a DebugClient, or a SharedDebugChannel across reconnects. */
export interface GenerationAnnouncer {
  onDidCommitGeneration(listener: (g: GenerationInfo) => void): Disposable;
}

/**
 * Calls onView with every newly committed generation read from `disk`. While one is being read,
 * newer announcements collapse into the newest, which is read next: the view never lags behind by
 * a queue. A generation that cannot be read goes to onError and the view waits for the next one;
 * one no longer on the disk when its turn comes (see below) is skipped without a word.
 *
 * `minIntervalMs` spaces the reads: one starts at least that long after the one before ended, and
 * what was announced meanwhile collapses into the newest, read then. A machine may commit a generation
 * every 10 ms; a view that shows each one would read the disk and redraw without pause, for
 * changes nobody can follow at that rate. The first announcement is read at once.
 */
export function followCommitted(
  client: GenerationAnnouncer,
  disk: string,
  onView: (view: CommittedView) => void,
  onError: (err: Error) => void = () => {},
  minIntervalMs = 0,
): Disposable {
  let pending: { generation: number; announcedAt: number } | undefined;
  let reading = false;
  let disposed = false;
  let lastReadAt = Number.NEGATIVE_INFINITY; // when the last read ended
  let spacing: NodeJS.Timeout | undefined;
  const readNext = () => {
    if (reading || disposed || !pending) return;
    const wait = lastReadAt + minIntervalMs - performance.now();
    if (wait > 0) {
      reading = true; // until the wait is over: announcements meanwhile only replace `pending`
      spacing = setTimeout(() => {
        spacing = undefined;
        reading = false;
        readNext();
      }, wait);
      return;
    }
    const { generation, announcedAt } = pending;
    pending = undefined;
    reading = true;
    // Off this turn of the event loop, so the announcement's handler returns at once.
    setImmediate(() => {
      try {
        const opened = openStoreFile(disk);
        try {
          const { heap } = loadGeneration(opened, generation);
          if (!disposed) onView({ generation, heap, announcedAt });
        } finally {
          opened.close();
        }
      } catch (err) {
        // Gone before it was read (retention reclaimed it for a newer one, or a rollback or revert
        // put the disk back): no failure, the newer announcement follows.
        const gone = err instanceof StoreError && err.refusal === 'not-kept';
        if (!disposed && !gone) onError(err as Error);
      }
      lastReadAt = performance.now();
      reading = false;
      readNext();
    });
  };
  const subscription = client.onDidCommitGeneration((g) => {
    pending = { generation: g.number, announcedAt: performance.now() };
    readNext();
  });
  return {
    dispose: () => {
      disposed = true;
      clearTimeout(spacing);
      subscription.dispose();
    },
  };
}
