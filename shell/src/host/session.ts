/**
 * One connection between a renderer and the host: validates and dispatches each incoming
 * frame, sends replies, events and stream output back, and closes the connection's streams
 * when it goes away. The transports (WebSocket, Electron IPC) only move frames.
 */
import type { EventData, EventName, HostMessage } from '../common/api.js';
import { dispatch, type Handlers } from '../common/dispatch.js';
import { createHandlers, type HostServices } from './services.js';
import { StreamHub } from './stream-hub.js';

export class Session {
  private readonly hub: StreamHub;
  private readonly handlers: Handlers;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(
    services: HostServices,
    private readonly sendFrame: (frame: string) => void,
  ) {
    this.hub = new StreamHub((message) => this.send(message));
    this.handlers = createHandlers(services, this.hub);
    this.unsubscribe = services.machines.subscribe((message) => this.send(message));
  }

  /** Handles one frame from the renderer; never rejects, whatever the frame holds. */
  async receive(frame: string): Promise<void> {
    const reply = await dispatch(this.handlers, frame);
    this.send(reply);
  }

  emit<E extends EventName>(event: E, data: EventData<E>): void {
    this.send({ event, data } as HostMessage);
  }

  get openStreams(): number {
    return this.hub.size;
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.hub.closeAll();
  }

  private send(message: HostMessage): void {
    if (!this.closed) this.sendFrame(JSON.stringify(message));
  }
}
