// debugger-channel.mjs — a small client of the debug channel for the debugger's tests and bench:
// requests by type with the generated codecs of lang/spec/debug.def, every event kept in arrival
// order, and the lookups a test needs to name a method (class and method names read from the live
// machine) and to read a field of an object.
import { connect } from 'node:net';
import * as P from '@phantom/inspector/common/debug-protocol.js';
import * as L from '@phantom/lang/common/spec/generated.js';
import * as W from '@phantom/lang/common/spec/debug-wire.js';

const DEADLINE_MS = 30_000;

/** An error reply: code is a DE_* code. */
export class ChannelError extends Error {
  constructor(code, message) {
    super(`error ${code}: ${message}`);
    this.code = code;
  }
}

export class Channel {
  /** Every event frame ({ type, payload, at }) in arrival order. */
  events = [];
  #replies = new Map();
  #waiters = new Set();
  #nextId = 1;
  #socket;

  static async open(path) {
    const socket = connect(path);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const channel = new Channel(socket);
    const hello = W.decodeHelloReply(await channel.request(W.MessageType.HELLO, W.encodeHelloRequest({ clientVersion: W.DBG_VERSION })));
    channel.hello = hello;
    return channel;
  }

  constructor(socket) {
    this.#socket = socket;
    const decoder = new P.FrameDecoder((frame) => {
      if (frame.id === 0) this.events.push({ type: frame.type, payload: frame.payload, at: performance.now() });
      else this.#replies.set(frame.id, frame);
      for (const w of this.#waiters) w();
    });
    socket.on('data', (chunk) => decoder.push(new Uint8Array(chunk)));
  }

  close() {
    this.#socket.destroy();
  }

  #until(cond, what, deadlineMs = DEADLINE_MS) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = cond();
        if (v === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, deadlineMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** Sends raw bytes as one request frame; resolves with the reply frame (an error frame too). */
  async call(type, payload = new Uint8Array(0)) {
    const id = this.#nextId++;
    this.#socket.write(P.encodeFrame(type, id, payload));
    const frame = await this.#until(() => this.#replies.get(id), `the reply to request ${id} (type ${type})`);
    this.#replies.delete(id);
    return frame;
  }

  /** A request whose reply must be its own: resolves with the payload, rejects with a ChannelError. */
  async request(type, payload) {
    const frame = await this.call(type, payload);
    if (frame.type === W.DBG_ERROR_TYPE) {
      const e = W.decodeErrorReply(frame.payload);
      throw new ChannelError(e.code, e.message);
    }
    if (frame.type !== (type | W.DBG_REPLY_BIT)) throw new Error(`reply type ${frame.type} to request type ${type}`);
    return frame.payload;
  }

  /** The first event of that type from index `from` whose decoded payload pred accepts: { event, index }. */
  waitEvent(type, decode, pred = () => true, { from = 0, deadlineMs = DEADLINE_MS } = {}) {
    return this.#until(
      () => {
        for (let i = from; i < this.events.length; i++) {
          const e = this.events[i];
          if (e.type !== type) continue;
          const value = decode(e.payload);
          if (pred(value)) return { event: value, index: i, at: e.at };
        }
        return undefined;
      },
      `event 0x${type.toString(16)}`,
      deadlineMs,
    );
  }

  waitStopped(pred, options) {
    return this.waitEvent(W.EventType.EV_STOPPED, W.decodeStoppedEvent, pred, options);
  }

  async readObjects(addrs) {
    return P.decodeReadObjects(await this.request(W.MessageType.READ_OBJECTS, P.encodeReadObjects(addrs)));
  }

  async readObject(addr) {
    const [o] = await this.readObjects([addr]);
    if (o.status !== P.ObjectStatus.Ok) throw new Error(`object 0x${addr.toString(16)}: status ${o.status}`);
    return o;
  }

  async readString(addr) {
    return Buffer.from((await this.readObject(addr)).payload).toString('utf8');
  }

  /** The method `name` of the class `className`: { addr, lines: [[pc, line], ...] }. */
  async findMethod(className, name) {
    const classes = W.decodeClassesReply(await this.request(W.MessageType.CLASSES)).classes;
    for (const cls of await this.readObjects(classes)) {
      if (cls.status !== P.ObjectStatus.Ok) continue;
      const clsName = slotRef(cls, L.CLASS_NAME);
      if (!clsName || (await this.readString(clsName)) !== className) continue;
      const methods = await this.readObject(slotRef(cls, L.CLASS_METHODS));
      for (let i = 0; i < methods.size / 4; i++) {
        const m = await this.readObject(slotRef(methods, i));
        if ((await this.readString(slotRef(m, L.METHOD_NAME))) !== name) continue;
        const linesRef = slotRef(m, L.METHOD_LINES);
        const lines = [];
        if (linesRef) {
          const a = await this.readObject(linesRef);
          for (let k = 0; k + 1 < a.size / 4; k += 2) lines.push([slotInt(a, k), slotInt(a, k + 1)]);
        }
        return { addr: m.ref, lines };
      }
    }
    throw new Error(`no method ${className}.${name}`);
  }
}

/** Slot i of an object read with READ_OBJECTS as a reference's address (0 for null or an integer). */
export function slotRef(obj, i) {
  const w = new DataView(obj.payload.buffer, obj.payload.byteOffset).getUint32(i * 4, true);
  return w & 1 ? w - 1 : 0;
}

/** Slot i as a small integer. */
export function slotInt(obj, i) {
  return new DataView(obj.payload.buffer, obj.payload.byteOffset).getInt32(i * 4, true) >> 1;
}

export function setBreakpoint(method, pc, extra = {}) {
  return W.encodeSetBreakpointRequest({
    method,
    pc,
    flags: 0,
    condition: W.DBG_COND_NONE,
    local: 0,
    value: 0,
    hitCount: 0,
    message: '',
    ...extra,
  });
}
