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
  /** QEMU's socket of the kernel's debug channel (serial port 2). */
  kernel: string;
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

  private constructor(
    private readonly kernel: Socket,
    private readonly server: Server,
    private readonly paths: ChannelBrokerPaths,
    private readonly releaseLock: () => Promise<void>,
  ) {
    this.router = new ChannelRouter(
      {
        toKernel: (frame) => {
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
    this.kernel.on('drain', () => {
      for (const socket of this.sockets.values()) socket.resume();
    });
    // A fresh start on the kernel's side: RESET ends a frame an earlier holder left unfinished
    // there. Its reply, and replies still on their way to that holder, match no request of the
    // router's (its ids start at random) and are dropped. Nothing waits for the reply: a RESET
    // sent while the kernel boots may be lost, and the kernel's frame timeout ends such a frame too.
    const decoder = new FrameDecoder((frame) => this.router.fromKernel(frame));
    kernel.on('data', (chunk: Buffer) => decoder.push(chunk));
    kernel.on('error', () => this.close());
    kernel.on('close', () => this.close());
    kernel.write(encodeFrame(MessageType.RESET, randomInt(1, 0xffffffff)));
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Takes the lock, connects to the kernel's channel and listens; fails if another broker serves. */
  static async start(paths: ChannelBrokerPaths): Promise<ChannelBroker> {
    const release = await acquirePidLock(paths.lock, 'the machine has a channel broker already');
    try {
      const kernel = await new Promise<Socket>((resolve, reject) => {
        const socket = connect(paths.kernel);
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
      // A socket left by a broker that was killed: nobody listens on it any more (the lock says so).
      await rm(paths.socket, { force: true });
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(paths.socket, () => resolve());
      });
      return new ChannelBroker(kernel, server, paths, release);
    } catch (err) {
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
    this.kernel.destroy();
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
    if (this.kernel.writableLength > KERNEL_HIGH_WATER_BYTES) socket.pause();
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
  return { kernel: dir.debugSocket, socket: dir.channelSocket, lock: dir.channelBrokerLock };
}

/**
 * The socket of a machine's channel broker, starting one if none serves. Resolves once it listens;
 * rejects when the machine's channel is not there (the machine is not running) or the broker could
 * not start (its log says why).
 */
export async function ensureChannelBroker(paths: ChannelBrokerPaths, log: string): Promise<string> {
  if (!(await pidLockHeld(paths.lock)) && !existsSync(paths.kernel))
    throw new Error(`the machine's debug channel (${paths.kernel}) is not there`);
  return ensureDaemon({
    what: 'the channel broker',
    main: 'channel-broker-main.js',
    args: [paths.kernel, paths.socket, paths.lock],
    lock: paths.lock,
    socket: paths.socket,
    log,
    inProcess: () => ChannelBroker.start(paths),
  });
}
