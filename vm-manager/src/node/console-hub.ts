/**
 * A machine's console as the UI and the CLI see it: one connection to the guest's serial port
 * shared by any number of attachments, a scroll-back ring seeded from the console log (so a
 * process that attaches late still sees what came before) up to exactly where the live stream
 * starts, when the source says where that is (the console keeper does), output batched per
 * attachment (every ~16 ms or 200 KB, as Hyper does) and flow control per attachment: a view
 * with more than the high-water mark unacknowledged is sent nothing until it catches up, then
 * told how much it missed. The guest is never paused for a view: QEMU's serial port cannot wait for a
 * reader that stops reading (it drops bytes after a few retries, and its log file records a
 * byte once per try), so the hub always reads, and the log keeps everything.
 * When the connection drops while the machine still runs (libvirt restarts QEMU on some
 * reverts), the hub reconnects and the attachments carry on. What happened to the machine
 * (stopped, power cut, rolled back, reverted) is marked in the console's own stream, so the
 * output of two runs never reads as one.
 */
import { appendFile, open, stat } from 'node:fs/promises';
import { Emitter } from '@phantom/inspector/common/events.js';
import type { ConsoleAttachment, ConsoleAttachOptions } from '../common/api.js';
import { ByteRing, DEFAULT_SCROLLBACK_BYTES } from '../common/byte-ring.js';
import type { ConsoleSource } from './driver.js';
import { pollUntil } from './process-watch.js';

/** One display frame: batching at this pace costs no visible latency. */
export const CONSOLE_BATCH_MS = 16;
/** Flush early past this, so a burst never builds one huge message. */
export const CONSOLE_BATCH_BYTES = 200 * 1024;
/** Unacknowledged bytes above which a view is sent nothing more (until below the low-water mark). */
export const CONSOLE_HIGH_WATER_BYTES = 256 * 1024;
/** Unacknowledged bytes below which a view that fell behind is told what it missed and fed again. */
export const CONSOLE_LOW_WATER_BYTES = 32 * 1024;
/** The console log's size is read this often, at most this many times, until it stops growing. */
const LOG_SETTLE_MS = 20;
const LOG_SETTLE_TRIES = 25;
/** How long a dropped console may take to come back before its attachments end. */
export const CONSOLE_RECONNECT_MS = 15_000;

/**
 * The last `bytes` of a file before offset `end` (its end when not given, or when it is shorter),
 * or nothing when it does not exist.
 */
export async function readTail(path: string, bytes: number, end?: number): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    const upTo = Math.min(size, end ?? size);
    const length = Math.min(upTo, bytes);
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, upTo - length);
    return buffer.subarray(0, bytesRead);
  } catch {
    return new Uint8Array(0);
  } finally {
    await handle?.close();
  }
}

class Attachment implements ConsoleAttachment {
  private readonly onDataEmitter = new Emitter<Uint8Array>();
  private readonly onDidCloseEmitter = new Emitter<void>();
  readonly onData = this.onDataEmitter.event;
  readonly onDidClose = this.onDidCloseEmitter.event;
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  unacknowledged = 0;
  /** Bytes left out since this view fell behind, not yet said; the console's log has them. */
  skipped = 0;
  closed = false;

  constructor(
    readonly scrollback: Uint8Array,
    private readonly options: ConsoleAttachOptions,
    private readonly hub: ConsoleHub,
  ) {}

  push(chunk: Uint8Array): void {
    // A view that has fallen behind is sent nothing more until it catches up; the guest is never
    // held up for it (see CONSOLE_HIGH_WATER_BYTES).
    if (
      this.options.ack === 'manual' &&
      (this.skipped > 0 || this.unacknowledged > CONSOLE_HIGH_WATER_BYTES)
    ) {
      this.skipped += chunk.length;
      return;
    }
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.options.ack === 'manual') this.unacknowledged += chunk.length;
    if (this.batchBytes >= CONSOLE_BATCH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), CONSOLE_BATCH_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batchBytes === 0) return;
    const out = new Uint8Array(this.batchBytes);
    let at = 0;
    for (const chunk of this.batch) {
      out.set(chunk, at);
      at += chunk.length;
    }
    this.batch = [];
    this.batchBytes = 0;
    this.onDataEmitter.fire(out);
  }

  write(data: Uint8Array | string): void {
    if (!this.closed) this.hub.write(data);
  }

  ack(bytes: number): void {
    if (!Number.isFinite(bytes) || bytes <= 0) return;
    this.unacknowledged = Math.max(0, this.unacknowledged - bytes);
    if (this.skipped > 0 && this.unacknowledged < CONSOLE_LOW_WATER_BYTES) {
      const skipped = this.skipped;
      this.skipped = 0;
      this.push(
        new TextEncoder().encode(
          `\r\n── ${skipped.toLocaleString('en')} bytes not shown here: this view fell behind the machine; the console's log has them ──\r\n`,
        ),
      );
    }
  }

  end(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.onDidCloseEmitter.fire();
    this.onDataEmitter.dispose();
    this.onDidCloseEmitter.dispose();
  }

  dispose(): void {
    this.end();
    this.hub.detach(this);
  }
}

export class ConsoleHub {
  private readonly ring: ByteRing;
  private readonly attachments = new Set<Attachment>();
  private source: ConsoleSource | undefined;
  private connecting: Promise<void> | undefined;
  private seeded = false;
  private disconnecting = false;

  constructor(
    private readonly logPath: string,
    private readonly openSource: () => Promise<ConsoleSource>,
    private readonly machineActive: () => Promise<boolean>,
    scrollbackBytes = DEFAULT_SCROLLBACK_BYTES,
  ) {
    this.ring = new ByteRing(scrollbackBytes);
  }

  /** Connects to the guest's console now (a started machine does this, so no output is missed). */
  async connect(): Promise<void> {
    this.disconnecting = false;
    if (this.source) return;
    this.connecting ??= this.doConnect().finally(() => {
      this.connecting = undefined;
    });
    await this.connecting;
  }

  async attach(options: ConsoleAttachOptions): Promise<ConsoleAttachment> {
    await this.connect();
    const attachment = new Attachment(this.ring.contents(), options, this);
    this.attachments.add(attachment);
    return attachment;
  }

  /**
   * The console's last bytes as text, for checkpoint records and `phantom logs`. Read from the
   * log (written as the console is read), not from the scroll-back, which the socket may not have
   * delivered yet: a paused guest's tail is then exactly what it printed before the pause.
   */
  async tail(bytes: number): Promise<string> {
    // The console keeper writes the log as it reads the console: what the guest printed just
    // before a pause may still be on its way, so the log's size is let settle first.
    let size = -1;
    for (let i = 0; i < LOG_SETTLE_TRIES; i++) {
      const now = (await stat(this.logPath).catch(() => undefined))?.size ?? 0;
      if (now === size) break;
      size = now;
      await new Promise((resolve) => setTimeout(resolve, LOG_SETTLE_MS));
    }
    return new TextDecoder().decode(await readTail(this.logPath, bytes));
  }

  write(data: Uint8Array | string): void {
    this.source?.write(data);
  }

  /**
   * Marks an event in the console, as a line of its own: in the log (so a later attachment and
   * `phantom logs` see it), in the scroll-back, and to every attachment now.
   */
  async mark(event: string): Promise<void> {
    // A connect in progress reads the log up to where its stream starts: a mark appended after
    // that point would be in neither, so it waits for the scroll-back to be seeded.
    await this.connecting?.catch(() => undefined);
    const time = new Date().toLocaleTimeString('en-GB');
    const line = new TextEncoder().encode(`\r\n── ${event} (${time}) ──\r\n`);
    // A log that cannot be written (a full disk) must not fail the operation being marked.
    await appendFile(this.logPath, line).catch(() => undefined);
    if (this.seeded) this.ring.append(line);
    for (const a of this.attachments) a.push(line);
  }

  detach(attachment: Attachment): void {
    this.attachments.delete(attachment);
  }

  /** Drops the connection (the machine stopped); attachments end, the scroll-back stays. */
  disconnect(): void {
    this.disconnecting = true;
    if (this.source) this.source.close();
    else this.endAttachments();
  }

  private async doConnect(): Promise<void> {
    // The live stream first, held back while the log is read up to where the stream starts: the
    // scroll-back then has every byte once, however long the connect took and whatever the guest
    // printed meanwhile. A source that cannot say where (virsh console) gets the log's tail as it
    // is after connecting, which may repeat what the guest printed during the connect.
    const source = await this.openSource();
    this.source = source;
    let held: Uint8Array[] | undefined = [];
    const deliver = (chunk: Uint8Array) => {
      this.ring.append(chunk);
      for (const a of this.attachments) a.push(chunk);
    };
    source.onData((chunk) => {
      if (held) held.push(chunk);
      else deliver(chunk);
    });
    source.onDidClose(() => {
      this.source = undefined;
      if (this.disconnecting) this.endAttachments();
      else this.reconnect().catch(() => this.endAttachments());
    });
    if (!this.seeded) {
      this.ring.append(await readTail(this.logPath, this.ring.capacity, source.logOffset));
      this.seeded = true;
    }
    const caughtUp = held;
    held = undefined;
    for (const chunk of caughtUp) deliver(chunk);
  }

  private async reconnect(): Promise<void> {
    const back = await pollUntil(
      async () => {
        if (this.disconnecting || !(await this.machineActive())) return true;
        try {
          await this.connect();
          return true;
        } catch {
          return false;
        }
      },
      CONSOLE_RECONNECT_MS,
      200,
    );
    if (!back || !this.source) this.endAttachments();
  }

  private endAttachments(): void {
    for (const a of [...this.attachments]) a.end();
    this.attachments.clear();
  }
}
