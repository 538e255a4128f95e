/**
 * The renderer's client of a debug adapter session (the 'debug.adapter' stream): requests with
 * their responses matched by seq, and events by name. Pure: it is given a function that sends one
 * request's JSON and is fed the stream's output (one message a line, checked against DapMessage);
 * a line it cannot read is reported, never thrown. When the stream ends, every pending request
 * fails with the reason.
 */
import { DapMessage } from './api.js';

/** A request the adapter answered with success false; `message` is the adapter's reason. */
export class DapRequestError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
    this.name = 'DapRequestError';
  }
}

type Pending = { command: string; resolve: (body: unknown) => void; reject: (err: Error) => void };

export interface DapEvent {
  event: string;
  body: unknown;
}

export class DapConnection {
  private seq = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(event: DapEvent) => void>();
  /** A partial line of the stream's output, kept until its end arrives. */
  private partial = '';
  private ended: string | undefined;

  constructor(
    private readonly send: (json: string) => void,
    private readonly onProblem: (problem: string) => void,
  ) {}

  /** Sends a request; resolves with the response's body, or fails with the adapter's reason. */
  request<T = unknown>(command: string, args: object = {}): Promise<T> {
    if (this.ended !== undefined) return Promise.reject(new DapRequestError(command, this.ended));
    const seq = this.seq++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { command, resolve: resolve as (body: unknown) => void, reject });
      this.send(JSON.stringify({ seq, type: 'request', command, arguments: args }));
    });
  }

  onEvent(listener: (event: DapEvent) => void): { dispose(): void } {
    this.eventListeners.add(listener);
    return { dispose: () => this.eventListeners.delete(listener) };
  }

  /** A batch of the stream's output: whole lines are read, a partial one waits for its end. */
  receive(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') this.read(line);
  }

  /** The stream ended: pending requests fail with `reason`, and so does every later one. */
  end(reason: string): void {
    this.ended ??= reason;
    for (const p of this.pending.values()) p.reject(new DapRequestError(p.command, reason));
    this.pending.clear();
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  private read(line: string): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.onProblem(`the debug adapter sent a line that is not JSON: ${line.slice(0, 80)}`);
      return;
    }
    const parsed = DapMessage.safeParse(json);
    if (!parsed.success) {
      this.onProblem(`the debug adapter sent a message the studio cannot read: ${parsed.error.message}`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'event') {
      for (const listener of this.eventListeners) listener({ event: message.event, body: message.body });
      return;
    }
    const pending = this.pending.get(message.request_seq);
    if (pending === undefined) return;
    this.pending.delete(message.request_seq);
    if (message.success) pending.resolve(message.body);
    else pending.reject(new DapRequestError(message.command, message.message ?? `${message.command} failed`));
  }
}
