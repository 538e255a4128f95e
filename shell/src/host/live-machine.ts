/**
 * A running machine as the host follows it: its one debug-channel connection (shared by the
 * live view, "now" reads, snapshot now and installs) and the newest generation it committed,
 * read from its store disk when the kernel announces it (followCommitted). The guest does no
 * work for the view; reading over the channel instead costs it most of its throughput
 * (docs/bench-inspector.md).
 */
import type { Disposable } from '@phantom/inspector/common/events.js';
import { followCommitted } from '@phantom/inspector/node/live-view.js';
import {
  DEFAULT_SHARED_CHANNEL_OPTIONS,
  SharedDebugChannel,
} from '@phantom/inspector/node/shared-channel.js';

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
  readonly channel: SharedDebugChannel;
  private newest: FollowedGeneration | undefined;
  private following: Disposable | undefined;
  private problemReported = false;
  private disposed = false;

  constructor(
    socketPath: string,
    private readonly disk: string,
    private readonly events: LiveMachineEvents,
    options = DEFAULT_SHARED_CHANNEL_OPTIONS,
  ) {
    this.channel = new SharedDebugChannel(socketPath, options);
  }

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
    this.channel.close();
  }

  private report(err: Error): void {
    // A connection given up because nobody watches any more is no problem to report.
    if (this.problemReported || this.disposed) return;
    this.problemReported = true;
    this.events.onProblem(err);
  }
}
