/**
 * A running machine as the host follows it: the newest generation it committed, read from its
 * store disk when the kernel announces it (followCommitted) on the machine's debug-channel
 * connection (vm-manager's `Machine.channel`, which snapshot now, installs and "now" reads share).
 * The guest does no work for the view; reading over the channel instead costs it most of its
 * throughput (docs/bench-inspector.md).
 */
import type { Disposable } from '@phantom/inspector/common/events.js';
import { followCommitted } from '@phantom/inspector/node/live-view.js';
import type { SharedDebugChannel } from '@phantom/inspector/node/shared-channel.js';

/**
 * The shortest time between two generations the studio reads and shows: the kernel may commit one
 * every 10 ms (issue 21's rate; machines default to DEFAULT_SNAPSHOT_INTERVAL_MS), and each one shown is read from the disk here, sent to every renderer
 * and laid out there (summary, diff, panes), with the timeline read again. One a second, as when
 * that was the snapshot interval: at two a second the renderer of the machine journey on a loaded
 * host was busy for longer than the editor's double-click time, and a double-click there became
 * two clicks. What was committed in between is on the timeline at its next refresh.
 */
export const FOLLOW_INTERVAL_MS = 1000;

export interface FollowedGeneration {
  generation: number;
  /** The space's bytes, as the store disk holds them for this generation. */
  bytes: Uint8Array;
  objects: number;
}

export interface LiveMachineEvents {
  /** A newly committed generation, read from the store disk. */
  onGeneration(view: FollowedGeneration): void;
  /**
   * Following failed (the channel would not answer, a generation could not be read). Called
   * once until following works again, so a busy or dead channel does not flood the user.
   */
  onProblem(err: Error): void;
}

export class LiveMachine {
  private newest: FollowedGeneration | undefined;
  private following: Disposable | undefined;
  private problemReported = false;
  private disposed = false;

  /** `channel` is the machine's, and stays open after this is disposed. */
  constructor(
    readonly channel: SharedDebugChannel,
    private readonly disk: string,
    private readonly events: LiveMachineEvents,
  ) {}

  /** The newest generation read since following began, if any. */
  get latest(): FollowedGeneration | undefined {
    return this.newest;
  }

  /**
   * Starts following (once) and makes sure the channel is connected, so that the kernel's
   * announcements arrive; resolves when connected or when connecting failed (reported).
   */
  async follow(): Promise<void> {
    this.following ??= followCommitted(
      this.channel,
      this.disk,
      ({ generation, heap }) => {
        this.problemReported = false;
        this.newest = { generation, bytes: heap.space, objects: heap.count };
        this.events.onGeneration(this.newest);
      },
      (err) => this.report(err),
      FOLLOW_INTERVAL_MS,
    );
    try {
      await this.channel.connect();
      this.problemReported = false;
    } catch (err) {
      this.report(err as Error);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.following?.dispose();
  }

  private report(err: Error): void {
    // A connection given up because nobody watches any more is no problem to report.
    if (this.problemReported || this.disposed) return;
    this.problemReported = true;
    this.events.onProblem(err);
  }
}
