/**
 * The routing of a machine's channel broker (node/channel-broker.ts): many clients, one kernel
 * debug channel. Each client speaks the whole protocol as if it had the channel to itself; the
 * router gives each request an id of its own on the kernel's side and hands the reply back under
 * the client's id, sends events to every client, and keeps what one client does from undoing
 * another's:
 * - RESET is answered here: a client's RESET concerns its own connection to the broker, which
 *   starts clean; the kernel's side only ever receives whole frames.
 * - PAUSE is held per client: the world resumes when the last client that paused it resumes it or
 *   goes away, so one client's RESUME never ends another's paused read, and a client that dies
 *   mid-read does not leave the machine paused.
 * - A client that goes away takes its pending requests with it: their replies are dropped.
 * - A request whose payload holds a RESET frame is refused, as the kernel would cut it there.
 *
 * Not here: sockets and framing (the broker decodes frames; this gets whole, checked ones).
 */
import {
  DBG_ERROR_TYPE,
  DBG_REPLY_BIT,
  DebugErrorCode,
  encodeError,
  encodeFrame,
  type Frame,
  findResetFrame,
  MessageType,
} from '@phantom/inspector/common/debug-protocol.js';

/** Where the router's frames go. */
export interface RouterSink {
  toKernel(frame: Uint8Array): void;
  toClient(client: number, frame: Uint8Array): void;
}

interface Pending {
  /** The client that asked, or undefined for the router's own request (a RESUME for a client gone). */
  client: number | undefined;
  id: number;
  type: number;
}

/** The flags a PAUSE or RESUME reply carries while the world stays paused (bit 0). */
const PAUSED_FLAGS = 1;

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

export class ChannelRouter {
  private readonly clients = new Set<number>();
  private nextClient = 1;
  /** The kernel-side id of each request in flight, to the client and id it came with. */
  private readonly pending = new Map<number, Pending>();
  private nextId: number;
  /** Clients that paused the world and have not resumed it. */
  private readonly pausers = new Set<number>();

  /**
   * `firstId` is the kernel-side id of the first request; a broker starts at a random one, so that
   * replies to an earlier holder of the channel, still on their way, match none of its requests.
   */
  constructor(
    private readonly sink: RouterSink,
    firstId = 1,
  ) {
    this.nextId = firstId;
  }

  /** A new client; the number names it in the other calls. */
  addClient(): number {
    const client = this.nextClient++;
    this.clients.add(client);
    return client;
  }

  /** The client went away: its replies are dropped, and its pause ends with it. */
  removeClient(client: number): void {
    if (!this.clients.delete(client)) return;
    for (const [id, p] of this.pending) if (p.client === client) this.pending.delete(id);
    if (this.pausers.delete(client) && this.pausers.size === 0)
      this.forward(undefined, { type: MessageType.RESUME, id: 0, payload: new Uint8Array(0) });
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** A whole frame from a client. */
  fromClient(client: number, frame: Frame): void {
    if (!this.clients.has(client)) return;
    const { type, id } = frame;
    if (type === 0 || type >= DBG_REPLY_BIT) {
      this.refuse(client, id, DebugErrorCode.DE_UNKNOWN, `type 0x${type.toString(16)} is not a request`);
      return;
    }
    if (type === MessageType.RESET) {
      this.sink.toClient(client, encodeFrame(type | DBG_REPLY_BIT, id, u32(0)));
      return;
    }
    // The kernel would take a RESET inside a frame it is still receiving for a new client starting,
    // and read the rest of the payload as frames of their own, under ids other clients use.
    if (findResetFrame(frame.payload) >= 0) {
      this.refuse(
        client,
        id,
        DebugErrorCode.DE_BAD_REQUEST,
        'the request holds a RESET frame, which no request may carry',
      );
      return;
    }
    if (type === MessageType.PAUSE) this.pausers.add(client);
    if (type === MessageType.RESUME) {
      this.pausers.delete(client);
      if (this.pausers.size > 0) {
        this.sink.toClient(client, encodeFrame(type | DBG_REPLY_BIT, id, u32(PAUSED_FLAGS)));
        return;
      }
    }
    this.forward(client, frame);
  }

  /** A whole frame from the kernel. */
  fromKernel(frame: Frame): void {
    if (frame.id === 0 && frame.type !== DBG_ERROR_TYPE && (frame.type & DBG_REPLY_BIT) !== 0) {
      for (const client of this.clients)
        this.sink.toClient(client, encodeFrame(frame.type, 0, frame.payload));
      return;
    }
    const asked = this.pending.get(frame.id);
    if (!asked) return;
    this.pending.delete(frame.id);
    if (asked.client === undefined) return;
    if (asked.type === MessageType.PAUSE && frame.type === DBG_ERROR_TYPE) this.pausers.delete(asked.client);
    this.sink.toClient(asked.client, encodeFrame(frame.type, asked.id, frame.payload));
  }

  private refuse(client: number, id: number, code: DebugErrorCode, message: string): void {
    this.sink.toClient(client, encodeFrame(DBG_ERROR_TYPE, id, encodeError(code, message)));
  }

  /** Sends a request on to the kernel under an id of the router's. */
  private forward(client: number | undefined, frame: Frame): void {
    const id = this.freshId();
    this.pending.set(id, { client, id: frame.id, type: frame.type });
    this.sink.toKernel(encodeFrame(frame.type, id, frame.payload));
  }

  /** A nonzero id no request in flight has (ids wrap after 2^32 - 1). */
  private freshId(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = this.nextId === 0xffffffff ? 1 : this.nextId + 1;
      if (!this.pending.has(id)) return id;
    }
  }
}
