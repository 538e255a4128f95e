/**
 * The Debug Adapter Protocol's base framing (`Content-Length: N\r\n\r\n` then N bytes of JSON), read
 * defensively in front of the adapter: @vscode/debugadapter's own reader buffers whatever length
 * a header announces and drops unparsable messages without a reply. This one bounds a message's
 * size (a longer one is skipped as it arrives, never held), and turns every kind of bad input into
 * a problem the adapter answers with an error response, so the editor hears why and the session
 * goes on.
 *
 * Not here: what a request means (node/dap/session.ts), or writing messages.
 */

/** Largest message the adapter reads: far beyond any real request (a setBreakpoints of thousands of lines is ~100 KB). */
export const DAP_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Longest header block: a few short lines in practice. */
export const DAP_MAX_HEADER_BYTES = 1024;

/** A well-formed request, as far as the framing can tell. */
export interface DapRequestMessage {
  readonly type: 'request';
  readonly seq: number;
  readonly command: string;
  readonly arguments?: unknown;
}

/** What the reader found: a message the adapter can serve, another message, or a problem to answer. */
export type DapInput =
  | { readonly kind: 'request'; readonly request: DapRequestMessage; readonly raw: Uint8Array }
  | { readonly kind: 'other'; readonly message: Record<string, unknown> }
  | { readonly kind: 'problem'; readonly seq: number; readonly command: string; readonly message: string };

const CRLF2 = [13, 10, 13, 10];

function indexOfBlankLine(bytes: Uint8Array, limit: number): number {
  const end = Math.min(bytes.length - 3, limit);
  for (let i = 0; i < end; i++)
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  return -1;
}

/** The seq and command of a message the framing refused, as far as they can be read (0, '' otherwise). */
function whoAsked(value: unknown): { seq: number; command: string } {
  if (typeof value !== 'object' || value === null) return { seq: 0, command: '' };
  const o = value as Record<string, unknown>;
  return {
    seq: Number.isSafeInteger(o.seq) ? (o.seq as number) : 0,
    command: typeof o.command === 'string' ? o.command.slice(0, 100) : '',
  };
}

/** Checks one message's JSON: a request the adapter can dispatch, or why not. */
export function classifyMessage(text: string): DapInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'problem', seq: 0, command: '', message: `not JSON: ${(err as Error).message}` };
  }
  const { seq, command } = whoAsked(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { kind: 'problem', seq, command, message: 'a DAP message is a JSON object' };
  const o = value as Record<string, unknown>;
  if (o.type !== 'request') {
    if (o.type === 'response' || o.type === 'event') return { kind: 'other', message: o };
    return { kind: 'problem', seq, command, message: `unknown message type ${JSON.stringify(o.type)}` };
  }
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 0)
    return { kind: 'problem', seq: 0, command, message: 'a request needs a non-negative integer seq' };
  if (typeof o.command !== 'string' || o.command.length === 0 || o.command.length > 100)
    return { kind: 'problem', seq, command: '', message: 'a request needs a command (a short string)' };
  if (
    o.arguments !== undefined &&
    (typeof o.arguments !== 'object' || o.arguments === null || Array.isArray(o.arguments))
  )
    return { kind: 'problem', seq, command, message: `the arguments of '${o.command}' must be an object` };
  const raw = new TextEncoder().encode(text);
  return {
    kind: 'request',
    request: { type: 'request', seq: o.seq as number, command: o.command, arguments: o.arguments },
    raw,
  };
}

/**
 * Splits a byte stream into DAP messages. Feed it chunks as they arrive; it returns what they
 * completed. Memory stays within DAP_MAX_MESSAGE_BYTES + DAP_MAX_HEADER_BYTES whatever arrives.
 */
export class DapReader {
  private buffer: Uint8Array = new Uint8Array(0);
  /** Body bytes still expected for the message being read, or -1 while reading a header. */
  private bodyLength = -1;
  /** Bytes of an oversized body still to be skipped. */
  private skipping = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  feed(chunk: Uint8Array): DapInput[] {
    const out: DapInput[] = [];
    let data = chunk;
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, data.length);
      this.skipping -= n;
      data = data.subarray(n);
    }
    this.buffer = concat(this.buffer, data);
    for (;;) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, this.buffer.length);
        this.skipping -= n;
        this.buffer = this.buffer.subarray(n);
        if (this.skipping > 0) break;
      }
      if (this.bodyLength < 0) {
        const end = indexOfBlankLine(this.buffer, DAP_MAX_HEADER_BYTES + 1);
        if (end < 0) {
          if (this.buffer.length > DAP_MAX_HEADER_BYTES + 3) {
            out.push(problem(`a header longer than ${DAP_MAX_HEADER_BYTES} bytes; dropped`));
            this.buffer = new Uint8Array(0);
          }
          break;
        }
        const header = new TextDecoder().decode(this.buffer.subarray(0, end));
        this.buffer = this.buffer.subarray(end + CRLF2.length);
        const length = contentLength(header);
        if (typeof length === 'string') {
          out.push(problem(length));
          continue;
        }
        if (length > DAP_MAX_MESSAGE_BYTES) {
          out.push(
            problem(`a message of ${length} bytes; the adapter reads at most ${DAP_MAX_MESSAGE_BYTES}`),
          );
          this.skipping = length;
          continue;
        }
        this.bodyLength = length;
      }
      if (this.buffer.length < this.bodyLength) break;
      const body = this.buffer.subarray(0, this.bodyLength);
      this.buffer = this.buffer.subarray(this.bodyLength);
      this.bodyLength = -1;
      let text: string;
      try {
        text = this.decoder.decode(body);
      } catch {
        out.push(problem('a message that is not UTF-8'));
        continue;
      }
      out.push(classifyMessage(text));
    }
    this.buffer = this.buffer.slice();
    return out;
  }
}

function problem(message: string): DapInput {
  return { kind: 'problem', seq: 0, command: '', message };
}

function contentLength(header: string): number | string {
  let length: number | undefined;
  for (const line of header.split('\r\n')) {
    const m = /^Content-Length:\s*(.*)$/i.exec(line);
    if (m === null) continue;
    if (!/^\d{1,12}$/.test(m[1]!.trim()))
      return `a Content-Length that is not a number: '${m[1]!.slice(0, 40)}'`;
    length = Number(m[1]!.trim());
  }
  return length ?? 'a header without Content-Length; dropped';
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Frames one message for the wire. */
export function frameDapMessage(message: unknown): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(message));
  const head = new TextEncoder().encode(`Content-Length: ${body.length}\r\n\r\n`);
  return concat(head, body);
}
