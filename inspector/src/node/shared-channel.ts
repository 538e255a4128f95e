/**
 * One debug-channel connection per machine, shared by everything a process does with it:
 * following its generations, "now" reads, snapshot now, installing classes, running a program.
 * One connection rather than one per use: each new one costs a RESET and a HELLO over the serial
 * line, and the kernel's announcements are followed across all uses. The connection is opened
 * when first needed and again after it closes (the machine stopped, rolled back or lost power);
 * listeners of announced generations carry over to each new connection.
 *
 * Not here: where the channel is (a socket path, or a function that finds it: vm-manager's starts
 * the machine's channel broker when none serves), when to connect (the owner knows whether the
 * machine runs) and what to read.
 */
import { EventEmitter } from 'node:events';
import type { GenerationInfo, HelloReply } from '../common/debug-protocol.js';
import { DebugClient, type Disposable } from './debug-client.js';
import type { GenerationAnnouncer } from './live-view.js';

export interface ChannelConnection {
  client: DebugClient;
  hello: HelloReply;
}

export interface SharedChannelOptions {
  /** How long each request may wait for its reply. */
  requestTimeoutMs: number;
  /** How long one HELLO may wait: the agent answers at once when it is up and the channel free. */
  helloTimeoutMs: number;
  /**
   * How long to keep trying to connect: a machine that has just started creates the socket
   * before its kernel's agent answers.
   */
  connectDeadlineMs: number;
  /** Pause between attempts to connect. */
  retryMs: number;
}

export const DEFAULT_SHARED_CHANNEL_OPTIONS: SharedChannelOptions = {
  requestTimeoutMs: 60_000,
  helloTimeoutMs: 5_000,
  connectDeadlineMs: 60_000,
  retryMs: 500,
};

export class SharedDebugChannel implements GenerationAnnouncer {
  private connection: Promise<ChannelConnection> | undefined;
  private current: DebugClient | undefined;
  private readonly events = new EventEmitter();
  private closed = false;

  /**
   * `socket`: the channel's unix socket, or a function that resolves to it (asked again on each
   * attempt to connect, so a failure there is retried like a failure to connect).
   */
  constructor(
    private readonly socket: string | (() => Promise<string>),
    private readonly options: SharedChannelOptions = DEFAULT_SHARED_CHANNEL_OPTIONS,
  ) {}

  /** The open connection, or a new one (one attempt at a time however many callers ask). */
  connect(): Promise<ChannelConnection> {
    if (this.closed) return Promise.reject(new Error('the debug channel was closed'));
    if (!this.connection) {
      const opening = this.open();
      this.connection = opening;
      opening.then(
        ({ client }) => {
          this.current = client;
          client.onDidCommitGeneration((g) => this.events.emit('generation', g));
          client.onDidClose(() => {
            if (this.connection === opening) this.connection = undefined;
            if (this.current === client) this.current = undefined;
            this.events.emit('disconnect');
          });
        },
        () => {
          if (this.connection === opening) this.connection = undefined;
        },
      );
    }
    return this.connection;
  }

  /** Whether a connection is open now. */
  get connected(): boolean {
    return this.current !== undefined && !this.current.closed;
  }

  /** Runs `action` on the shared connection, connecting first if needed. */
  async use<T>(action: (connection: ChannelConnection) => Promise<T>): Promise<T> {
    return action(await this.connect());
  }

  /** Generations announced on this connection and on every later one. */
  onDidCommitGeneration(listener: (g: GenerationInfo) => void): Disposable {
    this.events.on('generation', listener);
    return { dispose: () => this.events.off('generation', listener) };
  }

  /** Fires when an open connection closes (the machine stopped). */
  onDidDisconnect(listener: () => void): Disposable {
    this.events.on('disconnect', listener);
    return { dispose: () => this.events.off('disconnect', listener) };
  }

  /** Closes the connection; a later connect() opens a new one. */
  disconnect(): void {
    this.current?.close();
    this.current = undefined;
    this.connection = undefined;
  }

  /** Closes the connection for good. */
  close(): void {
    this.closed = true;
    this.disconnect();
    this.events.removeAllListeners();
  }

  private async open(): Promise<ChannelConnection> {
    const { requestTimeoutMs, helloTimeoutMs, connectDeadlineMs, retryMs } = this.options;
    const deadline = Date.now() + connectDeadlineMs;
    for (;;) {
      try {
        const path = typeof this.socket === 'string' ? this.socket : await this.socket();
        const connection = await DebugClient.connect(path, requestTimeoutMs, helloTimeoutMs);
        // Closed while connecting: a connection kept now would hold the socket from the next client.
        if (this.closed) {
          connection.client.close();
          throw new Error('the debug channel was closed');
        }
        return connection;
      } catch (err) {
        if (this.closed || Date.now() + retryMs > deadline) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}
