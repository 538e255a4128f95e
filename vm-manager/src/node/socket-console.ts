/**
 * A console source over a unix socket that QEMU serves for the guest's serial port.
 */
import { createConnection, type Socket } from 'node:net';
import { Emitter } from '@phantom/inspector/common/events.js';
import { VmError } from '../common/errors.js';
import type { ConsoleSource } from './driver.js';

export async function connectSocketConsole(path: string): Promise<ConsoleSource> {
  const socket = createConnection(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (err) =>
      reject(
        new VmError('hypervisor-failed', `cannot reach the console at ${path}: ${err.message}`, {
          cause: err,
        }),
      ),
    );
  });
  return new SocketConsole(socket);
}

class SocketConsole implements ConsoleSource {
  private readonly onDataEmitter = new Emitter<Uint8Array>();
  private readonly onDidCloseEmitter = new Emitter<void>();
  readonly onData = this.onDataEmitter.event;
  readonly onDidClose = this.onDidCloseEmitter.event;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onDataEmitter.fire(new Uint8Array(chunk)));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.onDidCloseEmitter.fire();
      this.onDataEmitter.dispose();
      this.onDidCloseEmitter.dispose();
    });
  }

  write(data: Uint8Array | string): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }
  close(): void {
    this.socket.destroy();
  }
}
