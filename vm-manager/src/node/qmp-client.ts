/**
 * A typed QMP client over a unix socket: waits for the greeting, negotiates capabilities,
 * sends commands with ids and a timeout each, routes replies to their callers and events to
 * listeners, and runs QEMU's background jobs (snapshot-save/load/delete) to their end. Every
 * failure is a `VmError` ('qmp-error' for QEMU's own errors, 'timeout', 'hypervisor-failed'
 * when the connection breaks).
 */
import { createConnection, type Socket } from 'node:net';
import { Emitter } from '@phantom/inspector/common/events.js';
import { VmError } from '../common/errors.js';
import { type QmpEvent, QmpFrameReader, type QmpGreeting } from '../common/qmp-protocol.js';

/** Generous for TCG on a loaded two-core machine, where QEMU can take seconds to answer. */
export const QMP_DEFAULT_TIMEOUT_MS = 30_000;

export interface QmpCommands {
  qmp_capabilities: { args: Record<string, never>; result: Record<string, never> };
  'query-status': { args: Record<string, never>; result: { running: boolean; status: string } };
  stop: { args: Record<string, never>; result: Record<string, never> };
  cont: { args: Record<string, never>; result: Record<string, never> };
  quit: { args: Record<string, never>; result: Record<string, never> };
  'query-jobs': { args: Record<string, never>; result: QmpJobInfo[] };
  /** A socket chardev's filename starts with "disconnected:" until a client has been taken in. */
  'query-chardev': {
    args: Record<string, never>;
    result: { label: string; filename: string; 'frontend-open': boolean }[];
  };
  'job-dismiss': { args: { id: string }; result: Record<string, never> };
  'snapshot-save': {
    args: { 'job-id': string; tag: string; vmstate: string; devices: string[] };
    result: Record<string, never>;
  };
  'snapshot-load': {
    args: { 'job-id': string; tag: string; vmstate: string; devices: string[] };
    result: Record<string, never>;
  };
  'snapshot-delete': {
    args: { 'job-id': string; tag: string; devices: string[] };
    result: Record<string, never>;
  };
}

export type QmpCommandName = keyof QmpCommands;

export interface QmpJobInfo {
  id: string;
  type: string;
  status: string;
  error?: string;
}

interface PendingCommand {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class QmpClient {
  private readonly reader = new QmpFrameReader();
  private readonly pending = new Map<string, PendingCommand>();
  private readonly onEventEmitter = new Emitter<QmpEvent>();
  private readonly onDidCloseEmitter = new Emitter<void>();
  private nextId = 1;
  private isClosed = false;
  private greetingWaiter: { resolve(g: QmpGreeting): void; reject(e: Error): void } | undefined;
  readonly onEvent = this.onEventEmitter.event;
  readonly onDidClose = this.onDidCloseEmitter.event;
  /** Malformed frames seen so far: ignored, but counted for logs and tests. */
  malformedFrames = 0;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.receive(text));
    socket.on('error', () => this.shutDown('the QMP connection failed'));
    socket.on('close', () => this.shutDown('QEMU closed the QMP connection'));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Connects, waits for the greeting and leaves greeting mode; the client is ready for commands. */
  static async connect(path: string, timeoutMs = QMP_DEFAULT_TIMEOUT_MS): Promise<QmpClient> {
    const socket = createConnection(path);
    const client = new QmpClient(socket);
    const greeting = new Promise<QmpGreeting>((resolve, reject) => {
      client.greetingWaiter = { resolve, reject };
    });
    // Awaited below only once connected; a connection that fails first must not leave it unhandled.
    greeting.catch(() => undefined);
    const ready = (async () => {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', (err) =>
          reject(
            new VmError('hypervisor-failed', `cannot reach QMP at ${path}: ${err.message}`, { cause: err }),
          ),
        );
      });
      await greeting;
      await client.execute('qmp_capabilities', {}, timeoutMs);
    })();
    ready.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new VmError('timeout', `no QMP greeting on ${path} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([ready, timeout]);
      return client;
    } catch (err) {
      client.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  execute<C extends QmpCommandName>(
    command: C,
    args: QmpCommands[C]['args'],
    timeoutMs = QMP_DEFAULT_TIMEOUT_MS,
  ): Promise<QmpCommands[C]['result']> {
    if (this.closed)
      return Promise.reject(new VmError('hypervisor-failed', `QMP is closed; cannot run ${command}`));
    const id = `c${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new VmError('timeout', `QEMU did not answer ${command} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      const frame =
        Object.keys(args).length > 0 ? { execute: command, arguments: args, id } : { execute: command, id };
      this.socket.write(`${JSON.stringify(frame)}\n`);
    });
  }

  /** Waits for the first event that satisfies `accept`. */
  waitForEvent(accept: (event: QmpEvent) => boolean, timeoutMs: number, what: string): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new VmError('timeout', `${what} did not happen within ${timeoutMs} ms`));
      }, timeoutMs);
      const onEvent = this.onEvent((event) => {
        if (!accept(event)) return;
        done();
        resolve(event);
      });
      const onClose = this.onDidClose(() => {
        done();
        reject(new VmError('hypervisor-failed', `QEMU went away while waiting for ${what}`));
      });
      const done = (): void => {
        clearTimeout(timer);
        onEvent.dispose();
        onClose.dispose();
      };
    });
  }

  /**
   * Runs a command that starts a QEMU job and waits for the job to conclude, then dismisses it;
   * a job that concluded with an error (it passed through `aborting`) rejects with QEMU's message.
   */
  async runJob<C extends 'snapshot-save' | 'snapshot-load' | 'snapshot-delete'>(
    command: C,
    args: QmpCommands[C]['args'],
    timeoutMs = QMP_DEFAULT_TIMEOUT_MS,
  ): Promise<void> {
    const jobId = args['job-id'];
    let aborted = false;
    const concluded = this.waitForEvent(
      (e) => {
        if (e.event !== 'JOB_STATUS_CHANGE' || e.data.id !== jobId) return false;
        if (e.data.status === 'aborting') aborted = true;
        return e.data.status === 'concluded';
      },
      timeoutMs,
      `${command} job ${jobId}`,
    );
    // A rejection of `concluded` before we await it must not count as unhandled.
    concluded.catch(() => undefined);
    await this.execute(command, args, timeoutMs);
    await concluded;
    const job = aborted
      ? (await this.execute('query-jobs', {}, timeoutMs)).find((j) => j.id === jobId)
      : undefined;
    await this.execute('job-dismiss', { id: jobId }, timeoutMs);
    if (aborted) throw new VmError('qmp-error', `${command} failed: ${job?.error ?? 'the job was aborted'}`);
  }

  close(): void {
    this.socket.destroy();
    this.shutDown('the QMP client was closed');
  }

  private receive(text: string): void {
    for (const frame of this.reader.push(text)) {
      switch (frame.kind) {
        case 'greeting':
          this.greetingWaiter?.resolve(frame);
          this.greetingWaiter = undefined;
          break;
        case 'event':
          this.onEventEmitter.fire(frame);
          break;
        case 'return':
        case 'error': {
          const pending = frame.id === undefined ? undefined : this.pending.get(frame.id);
          if (!pending) {
            this.malformedFrames++;
            break;
          }
          this.pending.delete(frame.id!);
          clearTimeout(pending.timer);
          if (frame.kind === 'return') pending.resolve(frame.value);
          else pending.reject(new VmError('qmp-error', `QEMU: ${frame.description} (${frame.errorClass})`));
          break;
        }
        case 'malformed':
          this.malformedFrames++;
          break;
      }
    }
  }

  private shutDown(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.socket.destroy();
    const error = new VmError('hypervisor-failed', reason);
    this.greetingWaiter?.reject(error);
    this.greetingWaiter = undefined;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
    this.onDidCloseEmitter.fire();
    this.onEventEmitter.dispose();
    this.onDidCloseEmitter.dispose();
  }
}
