/**
 * The renderer's typed client of the studio API: calls with typed replies, events by name,
 * and streams with flow control (a consumer acknowledges what it has shown, so the host can
 * pause a source that floods). The transport is Electron's preload bridge when it is there,
 * else browser mode's WebSocket to the host that served this page; the rest is the same.
 */
import type { Disposable } from '@phantom/inspector/common/events.js';
import {
  ApiError,
  ErrorCode,
  type EventData,
  type EventName,
  type MethodName,
  type Params,
  type Result,
  type StreamMessage,
} from '../common/api.js';
import { parseHostMessage } from '../common/host-message.js';
import type { PreloadApi } from '../common/ipc.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export interface StreamConsumer {
  /** Shows a batch; must call `shown` once it is on screen, or the host pauses the source. */
  onData(data: string, shown: () => void): void;
  onEnd(reason: string): void;
}

/** Told about frames the client cannot use and about a lost connection. */
export type ProblemListener = (title: string, error: Error) => void;

interface Transport {
  send(frame: string): void;
}

export class ApiClient {
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EventName, Set<(data: never) => void>>();
  private readonly consumers = new Map<number, StreamConsumer>();
  /** Stream frames that arrived before their consumer attached (a reply and its first output race). */
  private readonly unclaimed = new Map<number, StreamMessage[]>();
  private nextId = 1;
  private transport: Transport | undefined;
  private readonly queued: string[] = [];
  private lost: Error | undefined;

  constructor(private readonly onProblem: ProblemListener) {}

  /** Connects the client to a transport; frames sent before this are queued. */
  attach(transport: Transport): void {
    this.transport = transport;
    for (const frame of this.queued.splice(0)) transport.send(frame);
  }

  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    if (this.lost) return Promise.reject(this.lost);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const frame = JSON.stringify({ id, method, params });
      if (this.transport) this.transport.send(frame);
      else this.queued.push(frame);
    });
  }

  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): Disposable {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (data: never) => void);
    return { dispose: () => set.delete(listener as (data: never) => void) };
  }

  /** Connects a consumer to a stream the host opened; disposing it closes the stream. */
  consume(stream: number, consumer: StreamConsumer): Disposable {
    this.consumers.set(stream, consumer);
    for (const message of this.unclaimed.get(stream) ?? []) this.deliver(message);
    this.unclaimed.delete(stream);
    return {
      dispose: () => {
        if (this.consumers.delete(stream)) this.call('stream.close', { stream }).catch(() => {});
      },
    };
  }

  /** One frame from the host. */
  receive(frame: string): void {
    const parsed = parseHostMessage(frame);
    if (!parsed.ok) {
      this.onProblem('The studio host sent a message the UI cannot read', new Error(parsed.problem));
      return;
    }
    const message = parsed.message;
    if ('stream' in message) this.deliver(message);
    else if ('event' in message) {
      for (const listener of this.listeners.get(message.event) ?? [])
        (listener as (d: unknown) => void)(message.data);
    } else if (message.id === null) {
      const error = 'error' in message ? new ApiError(message.error) : new Error('reply without an id');
      this.onProblem('The studio host refused a message', error);
    } else {
      const pending = this.pending.get(message.id);
      this.pending.delete(message.id);
      if ('error' in message) pending?.reject(new ApiError(message.error));
      else pending?.resolve(message.result);
    }
  }

  /** The transport is gone: fail what is pending and everything later, with one reason. */
  disconnected(reason: string): void {
    this.lost = new ApiError({ code: ErrorCode.Failed, message: reason });
    for (const p of this.pending.values()) p.reject(this.lost);
    this.pending.clear();
    for (const consumer of this.consumers.values()) consumer.onEnd(reason);
    this.consumers.clear();
    this.onProblem('Lost the connection to the studio host', this.lost);
  }

  private deliver(message: StreamMessage): void {
    const consumer = this.consumers.get(message.stream);
    if (!consumer) {
      const held = this.unclaimed.get(message.stream) ?? [];
      held.push(message);
      this.unclaimed.set(message.stream, held);
      return;
    }
    if ('end' in message) {
      this.consumers.delete(message.stream);
      consumer.onEnd(message.end);
      return;
    }
    const chars = message.data.length;
    consumer.onData(message.data, () => {
      if (this.consumers.has(message.stream))
        this.call('stream.ack', { stream: message.stream, chars }).catch(() => {});
    });
  }
}

export function connectApi(onProblem: ProblemListener): ApiClient {
  const client = new ApiClient(onProblem);
  const bridge = (window as unknown as { phantomApi?: PreloadApi }).phantomApi;
  if (bridge) {
    bridge.onFrame((frame) => client.receive(frame));
    client.attach({ send: (frame) => bridge.send(frame) });
    return client;
  }
  const url = `${location.origin.replace(/^http/, 'ws')}/api`;
  const ws = new WebSocket(url);
  ws.addEventListener('open', () => client.attach({ send: (frame) => ws.send(frame) }));
  ws.addEventListener('message', (event) => client.receive(String(event.data)));
  ws.addEventListener('close', (event) =>
    client.disconnected(
      `the connection to the studio host at ${url} closed (code ${event.code}); restart the studio and reload`,
    ),
  );
  return client;
}
