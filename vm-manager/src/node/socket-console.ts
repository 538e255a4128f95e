/**
 * Console sources over a unix socket: QEMU's own for the guest's serial port (raw bytes both
 * ways), or the console keeper's (console-keeper.ts), which first says where in the console log
 * its stream starts.
 */
import { createConnection, type Socket } from 'node:net';
import { Emitter, type Event } from '@phantom/inspector/common/events.js';
import { VmError } from '../common/errors.js';
import { GREETING_MAX_BYTES, parseKeeperGreeting } from './console-keeper.js';
import type { ConsoleSource } from './driver.js';

/** How long a console keeper may take to greet a client it accepted. */
export const KEEPER_GREETING_MS = 15_000;

export async function connectSocketConsole(path: string): Promise<ConsoleSource> {
  const socket = await connectTo(path);
  socket.pause();
  return new SocketConsole(socket, undefined);
}

/** A console keeper's stream, with the log offset it starts at (its greeting). */
export async function connectConsoleKeeper(path: string): Promise<ConsoleSource> {
  const socket = await connectTo(path);
  try {
    const logOffset = await readGreeting(socket, path);
    return new SocketConsole(socket, logOffset);
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

function connectTo(path: string): Promise<Socket> {
  const socket = createConnection(path);
  return new Promise<Socket>((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', (err) =>
      reject(
        new VmError('hypervisor-failed', `cannot reach the console at ${path}: ${err.message}`, {
          cause: err,
        }),
      ),
    );
  });
}

/** Reads the keeper's greeting line; what follows it stays in the socket, which is left paused. */
function readGreeting(socket: Socket, path: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let received = Buffer.alloc(0);
    const fail = (why: string) => {
      done();
      reject(new VmError('hypervisor-failed', `the console keeper at ${path} ${why}`));
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(0x0a);
      if (end < 0) {
        if (received.length > GREETING_MAX_BYTES) fail('sent no greeting (a keeper of another version?)');
        return;
      }
      const offset = parseKeeperGreeting(received.subarray(0, end).toString('latin1'));
      if (offset === undefined) return fail('sent no greeting (a keeper of another version?)');
      done();
      socket.pause();
      const rest = received.subarray(end + 1);
      if (rest.length > 0) socket.unshift(rest);
      resolve(offset);
    };
    const onClose = () => fail('closed the connection before greeting');
    const timer = setTimeout(() => fail(`did not greet within ${KEEPER_GREETING_MS} ms`), KEEPER_GREETING_MS);
    const done = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

class SocketConsole implements ConsoleSource {
  private readonly onDataEmitter = new Emitter<Uint8Array>();
  private readonly onDidCloseEmitter = new Emitter<void>();
  readonly onDidClose = this.onDidCloseEmitter.event;

  /** `socket` comes paused: nothing it reads is lost before the first listener subscribes. */
  constructor(
    private readonly socket: Socket,
    readonly logOffset: number | undefined,
  ) {
    socket.on('data', (chunk: Buffer) => this.onDataEmitter.fire(new Uint8Array(chunk)));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.onDidCloseEmitter.fire();
      this.onDataEmitter.dispose();
      this.onDidCloseEmitter.dispose();
    });
  }

  readonly onData: Event<Uint8Array> = (listener) => {
    const subscription = this.onDataEmitter.event(listener);
    if (this.socket.isPaused()) this.socket.resume();
    return subscription;
  };

  write(data: Uint8Array | string): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }
  close(): void {
    this.socket.destroy();
  }
}
