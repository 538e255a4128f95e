/**
 * The host's end of every output stream on one connection (a machine's console, a terminal):
 * batches a source's output into few large frames (every STREAM_BATCH_MS, or at once when
 * STREAM_BATCH_CHARS are waiting, as Hyper does) and applies flow control (the renderer acks
 * what it has shown; above STREAM_HIGH_WATER_CHARS unacknowledged the source is paused until
 * the view is back under STREAM_LOW_WATER_CHARS, as VS Code does with its ptys).
 */
import {
  ApiError,
  ErrorCode,
  STREAM_BATCH_CHARS,
  STREAM_BATCH_MS,
  STREAM_HIGH_WATER_CHARS,
  STREAM_LOW_WATER_CHARS,
  type StreamMessage,
} from '../common/api.js';

/** Something that produces text and can be told to hold on: a pty, a serial console. */
export interface StreamSource {
  onData(listener: (text: string) => void): void;
  /** Called once when the source ends by itself, with a reason the user can read. */
  onEnd(listener: (reason: string) => void): void;
  pause(): void;
  resume(): void;
  /** Input for the source (keystrokes), when it takes any. */
  write?(text: string): void;
  /** Stops the source; no more data or end after this. */
  dispose(): void;
}

interface OpenStream<S extends StreamSource> {
  source: S;
  waiting: string[];
  waitingChars: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  unacked: number;
  paused: boolean;
}

export class StreamHub {
  private readonly streams = new Map<number, OpenStream<StreamSource>>();
  private nextId = 1;

  constructor(private readonly send: (message: StreamMessage) => void) {}

  open<S extends StreamSource>(source: S): number {
    const id = this.nextId++;
    const stream: OpenStream<S> = {
      source,
      waiting: [],
      waitingChars: 0,
      timer: undefined,
      unacked: 0,
      paused: false,
    };
    this.streams.set(id, stream);
    source.onData((text) => {
      if (this.streams.get(id) !== stream || text.length === 0) return;
      stream.waiting.push(text);
      stream.waitingChars += text.length;
      if (stream.waitingChars >= STREAM_BATCH_CHARS) this.flush(id, stream);
      else stream.timer ??= setTimeout(() => this.flush(id, stream), STREAM_BATCH_MS);
    });
    source.onEnd((reason) => {
      if (this.streams.get(id) !== stream) return;
      this.flush(id, stream);
      this.streams.delete(id);
      this.send({ stream: id, end: reason });
    });
    return id;
  }

  /** The source behind an open stream, or a clear error for an id that is not open. */
  source(id: number): StreamSource {
    return this.get(id).source;
  }

  ack(id: number, chars: number): void {
    const stream = this.get(id);
    if (chars > stream.unacked)
      throw new ApiError({
        code: ErrorCode.InvalidParams,
        message: `stream ${id}: ack of ${chars} characters, but only ${stream.unacked} are unacknowledged`,
      });
    stream.unacked -= chars;
    if (stream.paused && stream.unacked < STREAM_LOW_WATER_CHARS) {
      stream.paused = false;
      stream.source.resume();
    }
  }

  close(id: number): void {
    const stream = this.get(id);
    clearTimeout(stream.timer);
    this.streams.delete(id);
    stream.source.dispose();
  }

  closeAll(): void {
    for (const id of [...this.streams.keys()]) this.close(id);
  }

  get size(): number {
    return this.streams.size;
  }

  private get(id: number): OpenStream<StreamSource> {
    const stream = this.streams.get(id);
    if (!stream) throw new ApiError({ code: ErrorCode.InvalidParams, message: `no open stream ${id}` });
    return stream;
  }

  private flush(id: number, stream: OpenStream<StreamSource>): void {
    clearTimeout(stream.timer);
    stream.timer = undefined;
    if (stream.waitingChars === 0) return;
    const data = stream.waiting.join('');
    stream.waiting = [];
    stream.waitingChars = 0;
    stream.unacked += data.length;
    this.send({ stream: id, data });
    if (!stream.paused && stream.unacked > STREAM_HIGH_WATER_CHARS) {
      stream.paused = true;
      stream.source.pause();
    }
  }
}
