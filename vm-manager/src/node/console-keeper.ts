/**
 * A machine's console keeper (QEMU driver): the one reader of the guest's serial console, from
 * the moment the machine starts until its QEMU ends. It appends every byte the guest prints to
 * the console log, exactly once, and passes it on to any number of clients on a socket of its
 * own in the machine's run folder (each process's console hub), whose bytes go to the guest as
 * input.
 *
 * Why a process of its own: QEMU's serial port cannot wait for a reader. When its socket is full
 * (a reader that stops reading, or one that is a moment late: each byte the UART sends is a
 * message of its own, and a few hundred fill a unix socket), the port retries a few times and
 * then drops the byte, and the chardev's own logfile records the byte once per try: 340 to 596
 * of 20,000 lines came out mangled in that log with a reader that kept up. A reader that never
 * stops reading, and writes the log itself, loses and doubles nothing. QEMU starts the guest
 * paused (-S) and lets it run once the keeper has connected, so no boot line is missed.
 *
 * It runs as its own small process (console-keeper-main.ts; daemon.ts says how such helpers start
 * and end). One per machine: the first to take the lock serves, a second exits.
 */
import { closeSync, existsSync, fstatSync, openSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Emitter, type Event } from '@phantom/inspector/common/events.js';
import { ensureDaemon } from './daemon.js';
import type { MachineDir } from './machine-dir.js';
import { acquirePidLock } from './pid-lock.js';

/**
 * Output waiting for a client that does not read it, above which that client is dropped (its hub
 * reconnects): one stuck reader must hold neither the keeper's memory nor the guest.
 */
const CLIENT_MAX_BACKLOG_BYTES = 16 * 1024 * 1024;

/**
 * The line the keeper sends each client before any output: the protocol's name and version, then
 * the log offset (bytes) at which the client's stream starts. Versioned so that a hub never reads
 * another keeper's bytes as guest output.
 */
const GREETING_PREFIX = 'phantom-console-keeper 1 log-offset ';
/** A greeting is a short line; this many bytes without its end is not a greeting. */
export const GREETING_MAX_BYTES = 64;

export function keeperGreeting(logOffset: number): string {
  return `${GREETING_PREFIX}${logOffset}\n`;
}

/** The log offset a greeting line (without its newline) states, or undefined when it is not one. */
export function parseKeeperGreeting(line: string): number | undefined {
  if (!line.startsWith(GREETING_PREFIX)) return undefined;
  const digits = line.slice(GREETING_PREFIX.length);
  const offset = Number(digits);
  return /^\d+$/.test(digits) && Number.isSafeInteger(offset) ? offset : undefined;
}

export interface ConsoleKeeperPaths {
  /** QEMU's socket of the guest's serial console. */
  qemu: string;
  /** Where the keeper listens for clients. */
  socket: string;
  /** The console log, appended to. */
  log: string;
  /** The pid lock that makes the keeper one per machine. */
  lock: string;
}

export class ConsoleKeeper {
  private readonly onDidCloseEmitter = new Emitter<void>();
  /** Fires once, when QEMU's side closes (the machine stopped) or `close()` is called. */
  readonly onDidClose: Event<void> = this.onDidCloseEmitter.event;
  private readonly clients = new Set<Socket>();
  private closed = false;
  private logFailed = false;

  private constructor(
    private readonly qemu: Socket,
    private readonly server: Server,
    private readonly logFd: number,
    private readonly paths: ConsoleKeeperPaths,
    private readonly releaseLock: () => Promise<void>,
  ) {
    qemu.on('data', (chunk: Buffer) => this.output(chunk));
    qemu.on('error', () => this.close());
    qemu.on('close', () => this.close());
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Takes the lock, connects to QEMU's console and listens; fails if another keeper serves. */
  static async start(paths: ConsoleKeeperPaths): Promise<ConsoleKeeper> {
    const release = await acquirePidLock(paths.lock, 'the machine has a console keeper already');
    let logFd: number | undefined;
    try {
      logFd = openSync(paths.log, 'a');
      const qemu = await new Promise<Socket>((resolve, reject) => {
        const socket = connect(paths.qemu);
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
      // A socket left by a keeper that was killed: nobody listens on it any more (the lock says so).
      await rm(paths.socket, { force: true });
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(paths.socket, () => resolve());
      });
      return new ConsoleKeeper(qemu, server, logFd, paths, release);
    } catch (err) {
      if (logFd !== undefined) closeSync(logFd);
      await release();
      throw err;
    }
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Ends every client's connection and QEMU's; the socket file goes with it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const socket of this.clients) socket.destroy();
    this.qemu.destroy();
    this.server.close();
    closeSync(this.logFd);
    void Promise.allSettled([rm(this.paths.socket, { force: true }), this.releaseLock()]).then(() =>
      this.onDidCloseEmitter.fire(),
    );
  }

  private output(chunk: Buffer): void {
    // The log first and synchronously: once a client has a byte, the log has it (a checkpoint
    // that pauses the guest and reads the log's tail sees what the views saw).
    try {
      writeSync(this.logFd, chunk);
    } catch (err) {
      // A full disk must not cost the live console; said once, in the keeper's own log.
      if (!this.logFailed) process.stderr.write(`console log not written: ${(err as Error).message}\n`);
      this.logFailed = true;
    }
    for (const socket of this.clients) {
      socket.write(chunk);
      if (socket.writableLength > CLIENT_MAX_BACKLOG_BYTES) socket.destroy();
    }
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    // The log's size now is where this client's stream starts: the keeper writes the log
    // synchronously before passing output on, and marks (console-hub.ts) are appended whole.
    let logOffset: number;
    try {
      logOffset = fstatSync(this.logFd).size;
    } catch {
      socket.destroy();
      return;
    }
    socket.write(keeperGreeting(logOffset));
    this.clients.add(socket);
    socket.on('data', (chunk: Buffer) => this.qemu.write(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.clients.delete(socket));
  }
}

/** Machine `dir`'s console keeper: QEMU's console socket, the keeper's, the log and the lock. */
export function consoleKeeperPaths(dir: MachineDir): ConsoleKeeperPaths {
  return {
    qemu: dir.consoleSocket,
    socket: dir.consoleKeeperSocket,
    log: dir.consoleLog,
    lock: dir.consoleKeeperLock,
  };
}

/**
 * The socket of a machine's console keeper, starting one if none serves. Resolves once it listens;
 * rejects when QEMU's console is not there (the machine is not running) or the keeper could not
 * start (its log says why).
 */
export async function ensureConsoleKeeper(paths: ConsoleKeeperPaths, log: string): Promise<string> {
  const socket = await ensureDaemon({
    what: 'the console keeper',
    main: 'console-keeper-main.js',
    args: [paths.qemu, paths.socket, paths.log, paths.lock],
    lock: paths.lock,
    socket: paths.socket,
    log,
    inProcess: () => ConsoleKeeper.start(paths),
  });
  if (!existsSync(socket)) throw new Error(`the console keeper's socket (${socket}) is not there`);
  return socket;
}
