/**
 * The QEMU Machine Protocol's wire format, with no I/O: frames are JSON objects, one a line,
 * and each is a greeting, a command's return, a command's error or an asynchronous event.
 * `QmpFrameReader` turns received text into typed frames and reports anything else as a
 * malformed frame instead of throwing, so a confused or hostile peer cannot crash the client.
 */

export interface QmpGreeting {
  kind: 'greeting';
  version: { qemu: { major: number; minor: number; micro: number }; package: string };
  capabilities: string[];
}

export interface QmpReturn {
  kind: 'return';
  id: string | undefined;
  value: unknown;
}

export interface QmpErrorReply {
  kind: 'error';
  id: string | undefined;
  errorClass: string;
  description: string;
}

export interface QmpEvent {
  kind: 'event';
  event: string;
  data: Record<string, unknown>;
  /** Microseconds since the epoch, as QEMU stamped it. */
  timestampMicros: number;
}

export interface QmpMalformed {
  kind: 'malformed';
  reason: string;
  /** The start of the offending text, for logs. */
  excerpt: string;
}

export type QmpFrame = QmpGreeting | QmpReturn | QmpErrorReply | QmpEvent | QmpMalformed;

/** Longer than any reply we ask for (query-jobs, query-named-block-nodes stay far below). */
export const QMP_MAX_FRAME_CHARS = 8 * 1024 * 1024;

const EXCERPT_CHARS = 120;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(reason: string, text: string): QmpMalformed {
  return { kind: 'malformed', reason, excerpt: text.slice(0, EXCERPT_CHARS) };
}

function replyId(frame: Record<string, unknown>): string | undefined | null {
  if (!('id' in frame)) return undefined;
  return typeof frame.id === 'string' ? frame.id : null;
}

function versionNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function parseGreeting(body: unknown, text: string): QmpFrame {
  if (!isRecord(body) || !isRecord(body.version) || !Array.isArray(body.capabilities))
    return malformed('greeting without version and capabilities', text);
  const qemu = body.version.qemu;
  if (!isRecord(qemu)) return malformed('greeting without a QEMU version', text);
  const major = versionNumber(qemu.major);
  const minor = versionNumber(qemu.minor);
  const micro = versionNumber(qemu.micro);
  if (major === undefined || minor === undefined || micro === undefined)
    return malformed('greeting with a bad QEMU version', text);
  if (!body.capabilities.every((c) => typeof c === 'string'))
    return malformed('greeting with non-string capabilities', text);
  const pkg = typeof body.version.package === 'string' ? body.version.package : '';
  return {
    kind: 'greeting',
    version: { qemu: { major, minor, micro }, package: pkg },
    capabilities: body.capabilities as string[],
  };
}

/** Classifies one already-parsed JSON value. */
export function classifyQmpFrame(value: unknown, text = ''): QmpFrame {
  if (!isRecord(value)) return malformed('frame is not a JSON object', text);
  if ('QMP' in value) return parseGreeting(value.QMP, text);
  if ('return' in value) {
    const id = replyId(value);
    if (id === null) return malformed('reply id is not a string', text);
    return { kind: 'return', id, value: value.return };
  }
  if ('error' in value) {
    const id = replyId(value);
    if (id === null) return malformed('reply id is not a string', text);
    const error = value.error;
    if (!isRecord(error) || typeof error.class !== 'string' || typeof error.desc !== 'string')
      return malformed('error reply without class and desc', text);
    return { kind: 'error', id, errorClass: error.class, description: error.desc };
  }
  if ('event' in value) {
    if (typeof value.event !== 'string' || value.event.length === 0)
      return malformed('event without a name', text);
    const data = value.data ?? {};
    if (!isRecord(data)) return malformed('event data is not an object', text);
    const stamp = value.timestamp;
    let timestampMicros = 0;
    if (isRecord(stamp) && typeof stamp.seconds === 'number' && typeof stamp.microseconds === 'number')
      timestampMicros = stamp.seconds * 1e6 + stamp.microseconds;
    return { kind: 'event', event: value.event, data, timestampMicros };
  }
  return malformed('frame is neither greeting, reply nor event', text);
}

/** Parses one line of QMP text. */
export function parseQmpLine(line: string): QmpFrame {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return malformed(`not JSON (${err instanceof Error ? err.message : String(err)})`, line);
  }
  return classifyQmpFrame(value, line);
}

/** Accumulates received text and yields the complete frames in it. */
export class QmpFrameReader {
  private pending = '';

  push(text: string): QmpFrame[] {
    this.pending += text;
    const frames: QmpFrame[] = [];
    for (;;) {
      const newline = this.pending.indexOf('\n');
      if (newline < 0) break;
      const line = this.pending.slice(0, newline).trim();
      this.pending = this.pending.slice(newline + 1);
      if (line.length > 0) frames.push(parseQmpLine(line));
    }
    if (this.pending.length > QMP_MAX_FRAME_CHARS) {
      frames.push(malformed(`frame longer than ${QMP_MAX_FRAME_CHARS} characters`, this.pending));
      this.pending = '';
    }
    return frames;
  }
}
