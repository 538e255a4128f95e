/**
 * The renderer's side of the API boundary: turns one raw frame from the host into a typed
 * message (a reply, an event or a stream frame), or says what is wrong with it. A host that
 * sends garbage gets a notification, not a renderer that throws.
 */
import { EventMessage, events, type HostMessage, isEventName, Reply, StreamMessage } from './api.js';

export type ParsedHostMessage = { ok: true; message: HostMessage } | { ok: false; problem: string };

export function parseHostMessage(frame: string): ParsedHostMessage {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    return { ok: false, problem: `the host sent a frame that is not JSON: ${frame.slice(0, 80)}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, problem: 'the host sent a frame that is not an object' };
  if ('stream' in json) {
    const stream = StreamMessage.safeParse(json);
    return stream.success
      ? { ok: true, message: stream.data }
      : { ok: false, problem: `malformed stream frame: ${stream.error.message}` };
  }
  if ('event' in json) {
    const envelope = EventMessage.safeParse(json);
    if (!envelope.success) return { ok: false, problem: `malformed event: ${envelope.error.message}` };
    const name = envelope.data.event;
    if (!isEventName(name)) return { ok: false, problem: `unknown event '${name}'` };
    const data = events[name].safeParse(envelope.data.data);
    return data.success
      ? { ok: true, message: { event: name, data: data.data } as EventMessage }
      : { ok: false, problem: `malformed '${name}' event: ${data.error.message}` };
  }
  const reply = Reply.safeParse(json);
  return reply.success
    ? { ok: true, message: reply.data as HostMessage }
    : { ok: false, problem: `malformed reply: ${reply.error.message}` };
}
