/**
 * Deletions that wait for their undo: a checkpoint deleted in the studio leaves the timeline at
 * once, but is deleted only once its undo time is up (as GNOME Boxes does), or at once when its
 * name is wanted again. What a deletion does is the caller's (`carryOut`); this only keeps time.
 * A host that ends first leaves the pending checkpoints in place: nothing is lost unasked.
 */
import type { Disposable } from '@phantom/vm-manager/node/index.js';

export class DelayedDeletes implements Disposable {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Deletions being carried out: still left out of the timeline until they are done. */
  private readonly running = new Set<string>();

  constructor(
    /** How long a deletion can be taken back. */
    readonly delayMs: number,
    private readonly carryOut: (machine: string, checkpoint: string) => Promise<void>,
  ) {}

  /** Deletes checkpoint `checkpoint` of `machine` once the delay is up, unless cancelled. */
  schedule(machine: string, checkpoint: string): void {
    const key = keyOf(machine, checkpoint);
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => void this.now(machine, checkpoint), this.delayMs),
    );
  }

  /** Takes a deletion back; false when none was waiting (its time was up, or it never was). */
  cancel(machine: string, checkpoint: string): boolean {
    const key = keyOf(machine, checkpoint);
    const timer = this.pending.get(key);
    if (!timer) return false;
    clearTimeout(timer);
    this.pending.delete(key);
    return true;
  }

  /** Whether checkpoint `checkpoint` of `machine` waits to be deleted (the timeline leaves it out). */
  has(machine: string, checkpoint: string): boolean {
    const key = keyOf(machine, checkpoint);
    return this.pending.has(key) || this.running.has(key);
  }

  /** Carries out a waiting deletion now (its name is wanted again); nothing when none waits. */
  async now(machine: string, checkpoint: string): Promise<void> {
    if (!this.cancel(machine, checkpoint)) return;
    const key = keyOf(machine, checkpoint);
    this.running.add(key);
    try {
      await this.carryOut(machine, checkpoint);
    } finally {
      this.running.delete(key);
    }
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}

function keyOf(machine: string, checkpoint: string): string {
  return `${machine}\u0000${checkpoint}`;
}
