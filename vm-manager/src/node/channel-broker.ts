/**
 * A machine's channel broker: the one holder of the kernel's debug channel (QEMU's socket serves
 * one connection and leaves the next one waiting unanswered), serving any number of clients on a
 * socket of its own in the machine's run folder — the studio, `phantom inspect`, `phantom
 * install`, a debugger — whichever process started the machine. Each client speaks the protocol
 * as if it had the channel to itself (common/channel-router.ts routes); only whole frames reach
 * the kernel, so a client that dies mid-frame or mid-request disturbs no one.
 *
 * It runs as its own small process (channel-broker-main.ts; daemon.ts says how such helpers start
 * and end), started by the first client that needs it (`ensureChannelBroker`) and ending when the
 * machine's QEMU does. One per machine: the first to take the lock serves, a second exits.
 * A machine may offer the kernel two channels (a virtio-serial port, and serial port 2 for kernels
 * without its driver): the broker connects to every one it has, starts each with a RESET, and
 * keeps the first the kernel answers on; requests wait for that answer.
 */
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder, MessageType } from '@phantom/inspector/common/debug-protocol.js';
import { Emitter, type Event } from '@phantom/inspector/common/events.js';
import { ChannelRouter } from '../common/channel-router.js';
import { ensureDaemon } from './daemon.js';
import type { MachineDir } from './machine-dir.js';
import { acquirePidLock, pidLockHeld } from './pid-lock.js';

/**
 * Bytes waiting to be written to the kernel above which the broker stops reading its clients, until
 * the socket drains: the kernel's UART holds QEMU back when the guest is busy, and requests wait in
 * the clients' sockets rather than pile up here.
 */
const KERNEL_HIGH_WATER_BYTES = 256 * 1024;
/**
 * Replies waiting for a client that does not read them, above which that client is dropped: one
 * client that stopped reading must not hold the broker's memory or the others' replies.
 */
const CLIENT_MAX_BACKLOG_BYTES = 16 * 1024 * 1024;

export interface ChannelBrokerPaths {
  /** QEMU's sockets that may carry the kernel's debug channel, the preferred first. */
  kernel: readonly string[];
  /** Where the broker listens for clients. */
  socket: string;
  /** The pid lock that makes the broker one per machine. */
  lock: string;
}

export class ChannelBroker {
  private readonly onDidCloseEmitter = new Emitter<void>();
  /** Fires once, when the kernel's side closes (the machine stopped) or `close()` is called. */
  readonly onDidClose: Event<void> = this.onDidCloseEmitter.event;
  private readonly sockets = new Map<number, Socket>();
  private readonly router: ChannelRouter;
  private closed = false;
  /** The channel the kernel answered on first; until then, requests wait in `waiting`. */
  private kernel: Socket | undefined;
  private kernelPath: string | undefined;
  private readonly onDidChooseEmitter = new Emitter<string>();
  /** Fires once, with the path of the channel the kernel answered on. */
  readonly onDidChoose: Event<string> = this.onDidChooseEmitter.event;
  private waiting: Uint8Array[] = [];
  private waitingBytes = 0;

  private constructor(
    private readonly candidates: Map<Socket, string>,
    private readonly server: Server,
    private readonly paths: ChannelBrokerPaths,
    private readonly releaseLock: () => Promise<void>,
  ) {
    this.router = new ChannelRouter(
      {
        toKernel: (frame) => {
          if (!this.kernel) {
            this.waiting.push(frame);
            this.waitingBytes += frame.length;
            if (this.waitingBytes > KERNEL_HIGH_WATER_BYTES)
              for (const socket of this.sockets.values()) socket.pause();
            return;
          }
          if (!this.kernel.write(frame) && this.kernel.writableLength > KERNEL_HIGH_WATER_BYTES)
            for (const socket of this.sockets.values()) socket.pause();
        },
        toClient: (client, frame) => {
          const socket = this.sockets.get(client);
          if (!socket) return;
          socket.write(frame);
          if (socket.writableLength > CLIENT_MAX_BACKLOG_BYTES) socket.destroy();
        },
      },
      randomInt(1, 0xffffffff),
    );
    // A fresh start on the kernel's side: RESET ends a frame an earlier holder left unfinished
    // there. Its reply, and replies still on their way to that holder, match no request of the
    // router's (its ids start at random) and are dropped; it also tells which channel the kernel
    // serves. On a channel the kernel does not read, the RESET waits in QEMU's buffers, unread.
    for (const [kernel, path] of candidates) {
      const decoder = new FrameDecoder((frame) => {
        if (!this.kernel) this.choose(kernel, path);
        if (kernel === this.kernel) this.router.fromKernel(frame);
      });
      kernel.on('data', (chunk: Buffer) => decoder.push(chunk));
      kernel.on('error', () => this.lose(kernel));
      kernel.on('close', () => this.lose(kernel));
      kernel.on('drain', () => {
        if (kernel === this.kernel) for (const socket of this.sockets.values()) socket.resume();
      });
      kernel.write(encodeFrame(MessageType.RESET, randomInt(1, 0xffffffff)));
    }
    server.on('connection', (socket) => this.accept(socket));
  }

  /** The path of the channel the kernel answered on, once it has. */
  get channel(): string | undefined {
    return this.kernelPath;
  }

  private choose(kernel: Socket, path: string): void {
    this.kernel = kernel;
    this.kernelPath = path;
    for (const other of this.candidates.keys()) if (other !== kernel) other.destroy();
    const waiting = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    for (const frame of waiting) kernel.write(frame);
    if (kernel.writableLength <= KERNEL_HIGH_WATER_BYTES)
      for (const socket of this.sockets.values()) socket.resume();
    this.onDidChooseEmitter.fire(path);
  }

  /** A channel closed: the broker ends with the one in use, or with the last one left to try. */
  private lose(kernel: Socket): void {
    if (!this.candidates.delete(kernel)) return;
    if (kernel === this.kernel || (!this.kernel && this.candidates.size === 0)) this.close();
  }

  /** Takes the lock, connects to the kernel's channel and listens; fails if another broker serves. */
  static async start(paths: ChannelBrokerPaths): Promise<ChannelBroker> {
    const release = await acquirePidLock(paths.lock, 'the machine has a channel broker already');
    const candidates = new Map<Socket, string>();
    try {
      const connected = await Promise.allSettled(
        paths.kernel
          .filter((path) => existsSync(path))
          .map(
            (path) =>
              new Promise<[Socket, string]>((resolve, reject) => {
                const socket = connect(path);
                socket.once('connect', () => resolve([socket, path]));
                socket.once('error', reject);
              }),
          ),
      );
      for (const result of connected) if (result.status === 'fulfilled') candidates.set(...result.value);
      if (candidates.size === 0) {
        const why = connected.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        throw new Error(
          `cannot connect to the machine's debug channel (${paths.kernel.join(' or ')}): ${why ? (why.reason as Error).message : 'no such socket'}`,
        );
      }
      // A socket left by a broker that was killed: nobody listens on it any more (the lock says so).
      await rm(paths.socket, { force: true });
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(paths.socket, () => resolve());
      });
      return new ChannelBroker(candidates, server, paths, release);
    } catch (err) {
      for (const socket of candidates.keys()) socket.destroy();
      await release();
      throw err;
    }
  }

  get clients(): number {
    return this.router.clientCount;
  }

  /** Ends every client's connection and the kernel's; the socket file goes with it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const socket of this.sockets.values()) socket.destroy();
    for (const kernel of this.candidates.keys()) kernel.destroy();
    this.server.close();
    void Promise.allSettled([rm(this.paths.socket, { force: true }), this.releaseLock()]).then(() =>
      this.onDidCloseEmitter.fire(),
    );
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const client = this.router.addClient();
    this.sockets.set(client, socket);
    if ((this.kernel?.writableLength ?? this.waitingBytes) > KERNEL_HIGH_WATER_BYTES) socket.pause();
    // Frames a client garbles are its own loss (its request times out); only whole ones go on.
    const decoder = new FrameDecoder((frame) => this.router.fromClient(client, frame));
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(client);
      this.router.removeClient(client);
    });
  }
}

/** Machine `dir`'s broker: its channel, socket and lock. */
export function channelBrokerPaths(dir: MachineDir): ChannelBrokerPaths {
  return {
    kernel: [dir.debugPortSocket, dir.debugSocket],
    socket: dir.channelSocket,
    lock: dir.channelBrokerLock,
  };
}

/**
 * The socket of a machine's channel broker, starting one if none serves. Resolves once it listens;
 * rejects when the machine's channel is not there (the machine is not running) or the broker could
 * not start (its log says why).
 */
export async function ensureChannelBroker(paths: ChannelBrokerPaths, log: string): Promise<string> {
  if (!(await pidLockHeld(paths.lock)) && !paths.kernel.some((path) => existsSync(path)))
    throw new Error(`the machine's debug channel (${paths.kernel.join(' or ')}) is not there`);
  return ensureDaemon({
    what: 'the channel broker',
    main: 'channel-broker-main.js',
    args: [paths.socket, paths.lock, ...paths.kernel],
    lock: paths.lock,
    socket: paths.socket,
    log,
    inProcess: () => ChannelBroker.start(paths),
  });
}
