/**
 * The Language Server Protocol's base protocol on a byte stream (`phc lsp --stdio`): each message
 * is `Content-Length: N\r\n` (other headers allowed), a blank line, then N bytes of UTF-8 JSON.
 * This decoder is written for a peer that may send anything: a header without a length, a length
 * that is not a number or too large, a body that is not UTF-8 — each becomes one error and the
 * decoder finds the next message by its `Content-Length:` line, so the server answers the error
 * and keeps serving. Memory stays bounded: a header longer than MAX_HEADER_BYTES or a body longer
 * than MAX_MESSAGE_BYTES is never buffered whole.
 *
 * Resynchronising on `Content-Length:` at the start of a line is safe: a JSON body can hold that
 * text only inside a string, and a string cannot hold a raw line break.
 */

/** Largest body accepted: a didOpen of the largest document the server analyses, with room for JSON escapes. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Longest header block (the protocol has two short headers). */
export const MAX_HEADER_BYTES = 4096;

export type FrameEvent = { readonly body: string } | { readonly error: string };

const HEADER_END = [13, 10, 13, 10];
const LENGTH_HEADER = 'content-length:';
/** A header line: a token, a colon, and printable text (RFC 7230's field syntax, tabs allowed). */
const HEADER_LINE = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+):([\t\x20-\x7e]*)$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Frames one message for the wire. */
export function encodeFrame(body: string): Uint8Array {
  const bytes = encoder.encode(body);
  const header = encoder.encode(`Content-Length: ${bytes.length}\r\n\r\n`);
  const out = new Uint8Array(header.length + bytes.length);
  out.set(header);
  out.set(bytes, header.length);
  return out;
}

function indexOfSequence(haystack: Uint8Array, needle: readonly number[], from: number, to: number): number {
  outer: for (let i = from; i + needle.length <= to; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function lowerAscii(b: number): number {
  return b >= 65 && b <= 90 ? b + 32 : b;
}

type State =
  | { readonly kind: 'header' }
  | { readonly kind: 'body'; readonly length: number }
  /** After an error: dropping bytes up to the next `Content-Length:` at the start of a line. */
  | { readonly kind: 'resync' };

export class FrameDecoder {
  /** Bytes received and not yet decoded, in arrival order (joined only as far as a step needs). */
  private chunks: Uint8Array[] = [];
  private size = 0;
  private state: State = { kind: 'header' };
  /** While resynchronising: whether the first byte held starts a line. */
  private atLineStart = true;

  /** Feeds bytes as they arrive; returns the messages and errors they complete, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    const events: FrameEvent[] = [];
    for (;;) {
      const size = this.size;
      const state = this.state;
      const event = this.step();
      if (event !== undefined) events.push(event);
      else if (this.size === size && this.state === state) return events;
    }
  }

  /** Bytes held for an incomplete message (bounded by the limits above, plus the last chunk). */
  get buffered(): number {
    return this.size;
  }

  /** The first `n` bytes held (n ≤ size) as one array, joining chunks once. */
  private front(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    const joined = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      joined.set(c, at);
      at += c.length;
    }
    this.chunks = [joined];
    return joined.subarray(0, n);
  }

  private consume(n: number): void {
    this.size -= n;
    while (n > 0) {
      const first = this.chunks[0]!;
      if (first.length <= n) {
        n -= first.length;
        this.chunks.shift();
      } else {
        this.chunks[0] = first.subarray(n);
        n = 0;
      }
    }
  }

  private step(): FrameEvent | undefined {
    switch (this.state.kind) {
      case 'resync':
        return this.resync();
      case 'body':
        return this.body(this.state.length);
      case 'header':
        return this.header();
    }
  }

  /** Reports an error in the header and resynchronises from the line after its first. */
  private dropLine(error: string): FrameEvent {
    const bytes = this.front(this.size);
    const newline = bytes.indexOf(10);
    this.consume(newline < 0 ? this.size : newline + 1);
    this.atLineStart = newline >= 0;
    this.state = { kind: 'resync' };
    return { error };
  }

  private resync(): undefined {
    const bytes = this.front(this.size);
    for (let i = 0; i < bytes.length; i++) {
      if (!(i === 0 ? this.atLineStart : bytes[i - 1] === 10)) continue;
      let matched = 0;
      while (
        matched < LENGTH_HEADER.length &&
        i + matched < bytes.length &&
        lowerAscii(bytes[i + matched]!) === LENGTH_HEADER.charCodeAt(matched)
      )
        matched++;
      if (matched === LENGTH_HEADER.length) {
        this.consume(i);
        this.state = { kind: 'header' };
        return undefined;
      }
      if (i + matched === bytes.length) {
        // The held bytes end inside what may be the header line: wait for more.
        this.consume(i);
        this.atLineStart = true;
        return undefined;
      }
    }
    this.atLineStart = bytes.at(-1) === 10 || (bytes.length === 0 && this.atLineStart);
    this.consume(bytes.length);
    return undefined;
  }

  private header(): FrameEvent | undefined {
    // Line breaks between messages are allowed: a peer may start a message on a fresh line.
    const first = this.chunks[0];
    if (first !== undefined && (first[0] === 13 || first[0] === 10)) {
      let n = 0;
      while (n < first.length && (first[n] === 13 || first[n] === 10)) n++;
      this.consume(n);
      return undefined;
    }
    const bytes = this.front(Math.min(this.size, MAX_HEADER_BYTES + HEADER_END.length));
    const end = indexOfSequence(bytes, HEADER_END, 0, bytes.length);
    if (end < 0) {
      if (bytes.length < MAX_HEADER_BYTES + HEADER_END.length) return undefined;
      return this.dropLine(`a header longer than ${MAX_HEADER_BYTES} bytes`);
    }
    const text = String.fromCharCode(...bytes.subarray(0, end));
    let length: number | undefined;
    for (const line of text.split('\r\n')) {
      const header = HEADER_LINE.exec(line);
      if (header === null)
        return this.dropLine(`a header line that is not "Name: value": ${JSON.stringify(line.slice(0, 80))}`);
      const name = header[1]!.toLowerCase();
      const value = header[2]!.trim();
      if (name === 'content-length') {
        if (!/^\d{1,10}$/.test(value))
          return this.dropLine(`Content-Length is not a number: ${JSON.stringify(value.slice(0, 40))}`);
        length = Number(value);
      } else if (name === 'content-type' && /charset=/i.test(value) && !/charset=utf-?8\b/i.test(value)) {
        return this.dropLine(`the body must be UTF-8, not ${JSON.stringify(value.slice(0, 80))}`);
      }
    }
    if (length === undefined) return this.dropLine('a message without a Content-Length header');
    this.consume(end + HEADER_END.length);
    if (length > MAX_MESSAGE_BYTES) {
      this.state = { kind: 'resync' };
      this.atLineStart = true;
      return { error: `a message of ${length} bytes (at most ${MAX_MESSAGE_BYTES} are accepted)` };
    }
    this.state = { kind: 'body', length };
    return undefined;
  }

  private body(length: number): FrameEvent | undefined {
    if (this.size < length) return undefined;
    const bytes = length === 0 ? new Uint8Array(0) : this.front(length);
    this.state = { kind: 'header' };
    let event: FrameEvent;
    try {
      event = { body: utf8.decode(bytes) };
    } catch {
      event = { error: 'the body is not valid UTF-8' };
    }
    this.consume(length);
    return event;
  }
}
